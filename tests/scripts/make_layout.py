"""Write a small OCI image layout with no network: one image per architecture and an index.

Usage: make_layout.py DIR

Tags in the layout: `single` (the linux/amd64 image) and `multi` (an index of linux/amd64 and
linux/arm64). Layers are deterministic tarballs (sorted, mtime 0, gzip without a timestamp).
Prints the index digest, then the amd64 and arm64 manifest digests, one per line.
"""

import gzip
import hashlib
import io
import json
import os
import sys
import tarfile


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "blobs", "sha256"), exist_ok=True)

    def put(data):
        digest = hashlib.sha256(data).hexdigest()
        with open(os.path.join(out, "blobs", "sha256", digest), "wb") as f:
            f.write(data)
        return "sha256:" + digest, len(data)

    def image(arch):
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
            data = f"hello from {arch}\n".encode()
            info = tarfile.TarInfo("hello.txt")
            info.size = len(data)
            info.mtime = 0
            info.uid = info.gid = 0
            tar.addfile(info, io.BytesIO(data))
        raw = buf.getvalue()
        layer_digest, layer_size = put(gzip.compress(raw, mtime=0))
        config = {
            "architecture": arch,
            "os": "linux",
            "rootfs": {"type": "layers", "diff_ids": ["sha256:" + hashlib.sha256(raw).hexdigest()]},
        }
        config_digest, config_size = put(json.dumps(config).encode())
        manifest = {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": config_digest, "size": config_size},
            "layers": [{"mediaType": "application/vnd.oci.image.layer.v1.tar+gzip", "digest": layer_digest, "size": layer_size}],
        }
        digest, size = put(json.dumps(manifest).encode())
        return {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": digest,
            "size": size,
            "platform": {"architecture": arch, "os": "linux"},
        }

    amd64 = image("amd64")
    arm64 = image("arm64")
    index = {"schemaVersion": 2, "mediaType": "application/vnd.oci.image.index.v1+json", "manifests": [amd64, arm64]}
    index_digest, index_size = put(json.dumps(index).encode())
    single = {k: v for k, v in amd64.items() if k != "platform"}
    layout_index = {
        "schemaVersion": 2,
        "manifests": [
            {"mediaType": "application/vnd.oci.image.index.v1+json", "digest": index_digest, "size": index_size,
             "annotations": {"org.opencontainers.image.ref.name": "multi"}},
            dict(single, annotations={"org.opencontainers.image.ref.name": "single"}),
        ],
    }
    with open(os.path.join(out, "index.json"), "w") as f:
        json.dump(layout_index, f)
    with open(os.path.join(out, "oci-layout"), "w") as f:
        f.write('{"imageLayoutVersion": "1.0.0"}')
    print(index_digest)
    print(amd64["digest"])
    print(arm64["digest"])


if __name__ == "__main__":
    main()
