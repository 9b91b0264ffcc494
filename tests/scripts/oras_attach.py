"""Attach an NFD image-compatibility spec to an image with oras-py (an independent client).

Usage: oras_attach.py --registry HOST:PORT --repo REPO --subject DIGEST --subject-size N
                      [--subject-media-type TYPE] [--spec FILE] [--layer-media-type TYPE]
                      [--no-layer] [--created RFC3339] [--tag-schema] [--user U --password P]

Like `oras attach`, it pushes an empty config, one spec layer and a manifest whose `subject` is
the image, and prints the manifest digest (from the registry's Docker-Content-Digest header).
oras-py does not maintain the `sha256-<hex>` tag-schema index that registries without the
referrers API need; --tag-schema writes it too (after the manifest, appending to an existing
index), as oras-go does.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile

import oras.container
import oras.provider

ARTIFACT_TYPE = "application/vnd.nfd.image-compatibility.v1alpha1"
SPEC_MEDIA_TYPE = "application/vnd.nfd.image-compatibility.spec.v1alpha1+yaml"
INDEX = "application/vnd.oci.image.index.v1+json"
MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--registry", required=True)
    p.add_argument("--repo", required=True)
    p.add_argument("--subject", required=True)
    p.add_argument("--subject-size", type=int, required=True)
    p.add_argument("--subject-media-type", default=MANIFEST)
    p.add_argument("--spec")
    p.add_argument("--layer-media-type", default=SPEC_MEDIA_TYPE)
    p.add_argument("--no-layer", action="store_true")
    p.add_argument("--created")
    p.add_argument("--tag-schema", action="store_true")
    p.add_argument("--user")
    p.add_argument("--password")
    p.add_argument("--tls", action="store_true", help="HTTPS without certificate checks")
    a = p.parse_args()

    # htpasswd registries answer `Basic realm=...`: oras-py's default token backend would try
    # to fetch a token from that realm as if it were a URL.
    client = oras.provider.Registry(
        hostname=a.registry, insecure=not a.tls, tls_verify=False, auth_backend="basic" if a.user else "token"
    )
    if a.user:
        client.auth.set_basic_auth(a.user, a.password)
    container = client.get_container(f"{a.registry}/{a.repo}:unused")

    layers = []
    if not a.no_layer:
        spec = open(a.spec, "rb").read()
        layer = {
            "mediaType": a.layer_media_type,
            "digest": "sha256:" + hashlib.sha256(spec).hexdigest(),
            "size": len(spec),
            "annotations": {"org.opencontainers.image.title": os.path.basename(a.spec)},
        }
        client.upload_blob(a.spec, container, layer).raise_for_status()
        layers.append(layer)
    with tempfile.NamedTemporaryFile("wb", delete=False) as empty:
        empty.write(b"{}")
    config = {"mediaType": "application/vnd.oci.empty.v1+json", "digest": "sha256:" + hashlib.sha256(b"{}").hexdigest(), "size": 2}
    client.upload_blob(empty.name, container, config).raise_for_status()
    manifest = {
        "schemaVersion": 2,
        "mediaType": MANIFEST,
        "artifactType": ARTIFACT_TYPE,
        "config": config,
        "layers": layers,
        "subject": {"mediaType": a.subject_media_type, "digest": a.subject, "size": a.subject_size},
    }
    annotations = {}
    if a.created:
        annotations["org.opencontainers.image.created"] = a.created
        manifest["annotations"] = annotations
    body = json.dumps(manifest).encode()
    digest = "sha256:" + hashlib.sha256(body).hexdigest()
    response = client.upload_manifest(manifest, oras.container.Container(f"{a.registry}/{a.repo}@{digest}"))
    response.raise_for_status()
    digest = response.headers.get("Docker-Content-Digest", digest)

    if a.tag_schema:
        tag = a.subject.replace(":", "-", 1)
        index = {"schemaVersion": 2, "mediaType": INDEX, "manifests": []}
        existing = client.do_request(
            f"{client.prefix}://{a.registry}/v2/{a.repo}/manifests/{tag}", "GET", headers={"Accept": INDEX}
        )
        if existing.status_code == 200:
            index = existing.json()
        entry = {"mediaType": MANIFEST, "digest": digest, "size": len(body), "artifactType": ARTIFACT_TYPE}
        if annotations:
            entry["annotations"] = annotations
        index["manifests"].append(entry)
        # upload_manifest validates against the image-manifest schema; an index goes as is.
        r = client.do_request(
            f"{client.prefix}://{a.registry}/v2/{a.repo}/manifests/{tag}",
            "PUT",
            headers={"Content-Type": INDEX},
            data=json.dumps(index).encode(),
        )
        r.raise_for_status()
    print(digest)


if __name__ == "__main__":
    sys.exit(main())
