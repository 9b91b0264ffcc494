"""Attach an NFD image-compatibility spec to an image with oras-py (an independent client).

Usage: oras_attach.py REGISTRY REPO SUBJECT_DIGEST SUBJECT_SIZE SPEC_FILE CREATED [USER PASSWORD]

Writes the artifact manifest's digest (from the registry's Docker-Content-Digest header) on
stdout. Like `oras attach`, it pushes an empty config, one spec layer and a manifest whose
`subject` is the image; oras-py does not maintain the tag-schema index.
"""

import hashlib
import json
import os
import sys
import tempfile

import oras.container
import oras.provider

ARTIFACT_TYPE = "application/vnd.nfd.image-compatibility.v1alpha1"
SPEC_MEDIA_TYPE = "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml"


def main():
    registry, repo, subject_digest, subject_size, spec_path, created = sys.argv[1:7]
    client = oras.provider.Registry(hostname=registry, insecure=True)
    if len(sys.argv) > 8:
        client.set_basic_auth(sys.argv[7], sys.argv[8])
    container = client.get_container(f"{registry}/{repo}:unused")
    spec = open(spec_path, "rb").read()
    layer = {
        "mediaType": SPEC_MEDIA_TYPE,
        "digest": "sha256:" + hashlib.sha256(spec).hexdigest(),
        "size": len(spec),
        "annotations": {"org.opencontainers.image.title": os.path.basename(spec_path)},
    }
    client.upload_blob(spec_path, container, layer).raise_for_status()
    with tempfile.NamedTemporaryFile("wb", delete=False) as empty:
        empty.write(b"{}")
    config = {
        "mediaType": "application/vnd.oci.empty.v1+json",
        "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest(),
        "size": 2,
    }
    client.upload_blob(empty.name, container, config).raise_for_status()
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactType": ARTIFACT_TYPE,
        "config": config,
        "layers": [layer],
        "subject": {
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "digest": subject_digest,
            "size": int(subject_size),
        },
        "annotations": {"org.opencontainers.image.created": created},
    }
    digest = "sha256:" + hashlib.sha256(json.dumps(manifest).encode()).hexdigest()
    target = oras.container.Container(f"{registry}/{repo}@{digest}")
    response = client.upload_manifest(manifest, target)
    response.raise_for_status()
    print(response.headers.get("Docker-Content-Digest", digest))


if __name__ == "__main__":
    main()
