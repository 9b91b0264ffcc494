"""Read an image's NFD compatibility artifacts with oras-py (an independent client).

Usage: oras_read.py REGISTRY REPO SUBJECT_DIGEST

Lists the referrers of SUBJECT_DIGEST (the referrers API, else the sha256-<hex> tag-schema
index), then fetches each artifact manifest and its first layer with oras-py, and prints a JSON
list of {digest, artifactType, configMediaType, layerMediaType, subject, created, spec}.
"""

import json
import sys

import oras.container
import oras.provider

INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def main():
    registry, repo, subject = sys.argv[1:4]
    client = oras.provider.Registry(hostname=registry, insecure=True)
    base = f"http://{registry}/v2/{repo}"
    r = client.do_request(f"{base}/referrers/{subject}", "GET", headers={"Accept": INDEX})
    if r.status_code == 404:
        r = client.do_request(f"{base}/manifests/{subject.replace(':', '-', 1)}", "GET", headers={"Accept": INDEX})
    entries = r.json().get("manifests", []) if r.status_code == 200 else []
    out = []
    for entry in entries:
        container = oras.container.Container(f"{registry}/{repo}@{entry['digest']}")
        manifest = client.get_manifest(container, allowed_media_type=[MANIFEST])
        layer = manifest["layers"][0]
        blob = client.get_blob(container, layer["digest"])
        out.append({
            "digest": entry["digest"],
            "artifactType": manifest.get("artifactType"),
            "configMediaType": manifest["config"]["mediaType"],
            "layerMediaType": layer["mediaType"],
            "subject": manifest.get("subject", {}).get("digest"),
            "created": manifest.get("annotations", {}).get("org.opencontainers.image.created"),
            "spec": blob.content.decode(),
        })
    print(json.dumps(out))


if __name__ == "__main__":
    main()
