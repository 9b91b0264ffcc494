
use builtin;
use str;

set edit:completion:arg-completer[nfd-compat] = {|@words|
    fn spaces {|n|
        builtin:repeat $n ' ' | str:join ''
    }
    fn cand {|text desc|
        edit:complex-candidate $text &display=$text' '(spaces (- 14 (wcswidth $text)))$desc
    }
    var command = 'nfd-compat'
    for word $words[1..-1] {
        if (str:has-prefix $word '-') {
            break
        }
        set command = $command';'$word
    }
    var completions = [
        &'nfd-compat'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand -V 'Print version'
            cand --version 'Print version'
            cand validate-node 'Check whether a node satisfies an image-compatibility spec'
            cand export 'Print what this tool discovers (NFD''s `nfd export features`)'
            cand attach 'Attach a spec to an image as a compatibility artifact (checked first)'
            cand list 'List the compatibility artifacts attached to an image, newest first'
            cand fetch 'Print the spec of an image''s compatibility artifact'
            cand detach 'Remove a compatibility artifact from an image'
            cand copy 'Copy an image''s compatibility artifacts to another registry or OCI layout that already holds the image (`skopeo copy` carries the image but not its artifacts)'
            cand schema 'Print the JSON Schema (2020-12) of the spec, for editors and other validators'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write a page per command into a directory'
            cand init 'Write a commented starter spec that this host satisfies'
            cand lint 'Check specs for mistakes: every load error, plus advice (unknown features and elements, values NFD reads differently, rules that can never match...)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nfd-compat;validate-node'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --image 'The image whose compatibility artifact to validate against (`nginx:1.27`, `registry:5000/app@sha256:...`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)'
            cand --spec 'The spec to validate against: a YAML or JSON file, or `-` for stdin (instead of --image)'
            cand --platform 'Look for the artifact on this platform''s manifest of an image index: os[/arch[/variant]][:os_version]'
            cand --artifact 'Use this artifact (a digest) instead of the newest one attached'
            cand --ca-file 'Trust the CA certificates in this PEM file for the registry''s TLS'
            cand --timeout 'The deadline for all registry communication, in seconds'
            cand --registry-username 'The registry username (the password comes from --registry-password-stdin)'
            cand --registry-config 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --authfile 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --features 'Saved features instead of discovering this host: `nfd export features` output, a NodeFeature, a NodeFeatureList (`kubectl get nodefeatures -A -o json`), or a directory of them; `-` for stdin. Repeat it, or give a list or a directory, to validate a fleet'
            cand --node 'The node to validate when --features holds several'
            cand --host-root 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)'
            cand --machine 'Take the CPU''s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine'
            cand --tags 'Evaluate only the compatibility sets with one of these tags (comma-separated or repeated)'
            cand -o 'The report format'
            cand --output 'The report format'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --plain-http 'Use plain HTTP for all registry communications'
            cand --insecure 'Skip TLS certificate verification (prints a warning)'
            cand --registry-password-stdin 'Read the registry password from stdin'
            cand --registry-token-stdin 'Read a registry access token (sent as a Bearer token) from stdin'
            cand --debug 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
            cand --oci-layout 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
            cand --any 'With several nodes: succeed (exit 0) when at least one node is compatible, instead of all of them'
            cand --output-json 'Print NFD''s JSON report shape (as `nfd compat validate-node --output-json`)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;export'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
            cand features 'Print this host''s features as NFD''s Features object (sorted keys)'
            cand nodefeaturegroup 'Print one NodeFeatureGroup per compatibility set, for NFD''s master to find the matching nodes cluster-wide'
            cand nodefeaturerule 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nfd-compat;export;features'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --host-root 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)'
            cand --machine 'Take the CPU''s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine'
            cand -o 'The output format'
            cand --output 'The output format'
            cand -p 'Write to FILE instead of stdout (replaced atomically)'
            cand --path 'Write to FILE instead of stdout (replaced atomically)'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;export;nodefeaturegroup'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --image 'The image whose compatibility artifact to export (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)'
            cand --spec 'The spec to export: a YAML or JSON file, or `-` for stdin (instead of --image)'
            cand --platform 'Look for the artifact on this platform''s manifest of an image index: os[/arch[/variant]][:os_version]'
            cand --artifact 'Use this artifact (a digest) instead of the newest one attached'
            cand --ca-file 'Trust the CA certificates in this PEM file for the registry''s TLS'
            cand --timeout 'The deadline for all registry communication, in seconds'
            cand --registry-username 'The registry username (the password comes from --registry-password-stdin)'
            cand --registry-config 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --authfile 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --tags 'Export only the compatibility sets with one of these tags (comma-separated or repeated)'
            cand --name 'The objects'' name (default: from the image''s repository and tag, or the spec''s file name)'
            cand -o 'The output format'
            cand --output 'The output format'
            cand --namespace 'The namespace of the NodeFeatureGroups (default: none, i.e. kubectl''s current one)'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --plain-http 'Use plain HTTP for all registry communications'
            cand --insecure 'Skip TLS certificate verification (prints a warning)'
            cand --registry-password-stdin 'Read the registry password from stdin'
            cand --registry-token-stdin 'Read a registry access token (sent as a Bearer token) from stdin'
            cand --debug 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
            cand --oci-layout 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;export;nodefeaturerule'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --image 'The image whose compatibility artifact to export (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)'
            cand --spec 'The spec to export: a YAML or JSON file, or `-` for stdin (instead of --image)'
            cand --platform 'Look for the artifact on this platform''s manifest of an image index: os[/arch[/variant]][:os_version]'
            cand --artifact 'Use this artifact (a digest) instead of the newest one attached'
            cand --ca-file 'Trust the CA certificates in this PEM file for the registry''s TLS'
            cand --timeout 'The deadline for all registry communication, in seconds'
            cand --registry-username 'The registry username (the password comes from --registry-password-stdin)'
            cand --registry-config 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --authfile 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --tags 'Export only the compatibility sets with one of these tags (comma-separated or repeated)'
            cand --name 'The objects'' name (default: from the image''s repository and tag, or the spec''s file name)'
            cand -o 'The output format'
            cand --output 'The output format'
            cand --label 'A label to set on the compatible nodes (repeatable; default: `nfd-compat.github.io/compatible-<name>=true`)'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --plain-http 'Use plain HTTP for all registry communications'
            cand --insecure 'Skip TLS certificate verification (prints a warning)'
            cand --registry-password-stdin 'Read the registry password from stdin'
            cand --registry-token-stdin 'Read a registry access token (sent as a Bearer token) from stdin'
            cand --debug 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
            cand --oci-layout 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;export;help'= {
            cand features 'Print this host''s features as NFD''s Features object (sorted keys)'
            cand nodefeaturegroup 'Print one NodeFeatureGroup per compatibility set, for NFD''s master to find the matching nodes cluster-wide'
            cand nodefeaturerule 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nfd-compat;export;help;features'= {
        }
        &'nfd-compat;export;help;nodefeaturegroup'= {
        }
        &'nfd-compat;export;help;nodefeaturerule'= {
        }
        &'nfd-compat;export;help;help'= {
        }
        &'nfd-compat;attach'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --image 'The image to attach to (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)'
            cand --annotation 'An annotation for the artifact manifest (repeatable), e.g. `org.opencontainers.image.source=...`'
            cand --platform 'Attach to this platform''s manifest of an image index: os[/arch[/variant]][:os_version]'
            cand --ca-file 'Trust the CA certificates in this PEM file for the registry''s TLS'
            cand --timeout 'The deadline for all registry communication, in seconds'
            cand --registry-username 'The registry username (the password comes from --registry-password-stdin)'
            cand --registry-config 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --authfile 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --strict 'Refuse a spec with lint warnings, not only one with errors (for publishing from CI)'
            cand --force 'Allow `--annotation org.opencontainers.image.created=...`: the newest artifact is the one validate-node uses, so a date set by hand (in the future, say) decides that for good'
            cand --plain-http 'Use plain HTTP for all registry communications'
            cand --insecure 'Skip TLS certificate verification (prints a warning)'
            cand --registry-password-stdin 'Read the registry password from stdin'
            cand --registry-token-stdin 'Read a registry access token (sent as a Bearer token) from stdin'
            cand --debug 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
            cand --oci-layout 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;list'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --image 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)'
            cand --platform 'List the artifacts of this platform''s manifest of an image index'
            cand -o 'The output format'
            cand --output 'The output format'
            cand --ca-file 'Trust the CA certificates in this PEM file for the registry''s TLS'
            cand --timeout 'The deadline for all registry communication, in seconds'
            cand --registry-username 'The registry username (the password comes from --registry-password-stdin)'
            cand --registry-config 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --authfile 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --plain-http 'Use plain HTTP for all registry communications'
            cand --insecure 'Skip TLS certificate verification (prints a warning)'
            cand --registry-password-stdin 'Read the registry password from stdin'
            cand --registry-token-stdin 'Read a registry access token (sent as a Bearer token) from stdin'
            cand --debug 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
            cand --oci-layout 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;fetch'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --image 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)'
            cand --platform 'Look for the artifact on this platform''s manifest of an image index: os[/arch[/variant]][:os_version]'
            cand --artifact 'Use this artifact (a digest) instead of the newest one attached'
            cand --ca-file 'Trust the CA certificates in this PEM file for the registry''s TLS'
            cand --timeout 'The deadline for all registry communication, in seconds'
            cand --registry-username 'The registry username (the password comes from --registry-password-stdin)'
            cand --registry-config 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --authfile 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --plain-http 'Use plain HTTP for all registry communications'
            cand --insecure 'Skip TLS certificate verification (prints a warning)'
            cand --registry-password-stdin 'Read the registry password from stdin'
            cand --registry-token-stdin 'Read a registry access token (sent as a Bearer token) from stdin'
            cand --debug 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
            cand --oci-layout 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;detach'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --image 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)'
            cand --artifact 'The artifact to remove (its digest, as `list` shows it)'
            cand --platform 'The artifact is attached to this platform''s manifest of an image index'
            cand --ca-file 'Trust the CA certificates in this PEM file for the registry''s TLS'
            cand --timeout 'The deadline for all registry communication, in seconds'
            cand --registry-username 'The registry username (the password comes from --registry-password-stdin)'
            cand --registry-config 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --authfile 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --plain-http 'Use plain HTTP for all registry communications'
            cand --insecure 'Skip TLS certificate verification (prints a warning)'
            cand --registry-password-stdin 'Read the registry password from stdin'
            cand --registry-token-stdin 'Read a registry access token (sent as a Bearer token) from stdin'
            cand --debug 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
            cand --oci-layout 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;copy'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --image 'The image whose artifacts to copy (`host/repo:tag`, `oci:DIR[:TAG|@DIGEST]`)'
            cand --to 'Where to copy them: the same image in another registry or layout'
            cand --artifact 'Copy only this artifact (a digest, as `list` shows it) instead of all'
            cand --platform 'Copy the artifacts of this platform''s manifest of an image index'
            cand --ca-file 'Trust the CA certificates in this PEM file for the registry''s TLS'
            cand --timeout 'The deadline for all registry communication, in seconds'
            cand --registry-username 'The registry username (the password comes from --registry-password-stdin)'
            cand --registry-config 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand --authfile 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --to-oci-layout 'Read --to as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --to-oci-layout)'
            cand --plain-http 'Use plain HTTP for all registry communications'
            cand --insecure 'Skip TLS certificate verification (prints a warning)'
            cand --registry-password-stdin 'Read the registry password from stdin'
            cand --registry-token-stdin 'Read a registry access token (sent as a Bearer token) from stdin'
            cand --debug 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
            cand --oci-layout 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;schema'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;completions'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;man'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --dir 'Write `nfd-compat.1` and a page per subcommand (`nfd-compat-validate-node.1`, ...) into DIR instead of printing `nfd-compat.1`'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;init'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand --host-root 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)'
            cand --machine 'Take the CPU''s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine'
            cand --features 'Start from saved features instead of discovering this host: `nfd export features` output, a NodeFeature, or a NodeFeatureList; `-` for stdin'
            cand --node 'The node to start from when --features holds several'
            cand -p 'Write the spec to FILE (atomically) instead of stdout'
            cand --path 'Write the spec to FILE (atomically) instead of stdout'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --force 'Replace FILE when it exists'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;lint'= {
            cand --color 'When to use colour: auto (a terminal and no NO_COLOR), always, never'
            cand -o 'The output format'
            cand --output 'The output format'
            cand -q 'Print no warnings (errors are still printed)'
            cand --quiet 'Print no warnings (errors are still printed)'
            cand --strict 'Fail (exit 1) on warnings too'
            cand -h 'Print help (see more with ''--help'')'
            cand --help 'Print help (see more with ''--help'')'
        }
        &'nfd-compat;help'= {
            cand validate-node 'Check whether a node satisfies an image-compatibility spec'
            cand export 'Print what this tool discovers (NFD''s `nfd export features`)'
            cand attach 'Attach a spec to an image as a compatibility artifact (checked first)'
            cand list 'List the compatibility artifacts attached to an image, newest first'
            cand fetch 'Print the spec of an image''s compatibility artifact'
            cand detach 'Remove a compatibility artifact from an image'
            cand copy 'Copy an image''s compatibility artifacts to another registry or OCI layout that already holds the image (`skopeo copy` carries the image but not its artifacts)'
            cand schema 'Print the JSON Schema (2020-12) of the spec, for editors and other validators'
            cand completions 'Print a shell completion script'
            cand man 'Print the man page, or write a page per command into a directory'
            cand init 'Write a commented starter spec that this host satisfies'
            cand lint 'Check specs for mistakes: every load error, plus advice (unknown features and elements, values NFD reads differently, rules that can never match...)'
            cand help 'Print this message or the help of the given subcommand(s)'
        }
        &'nfd-compat;help;validate-node'= {
        }
        &'nfd-compat;help;export'= {
            cand features 'Print this host''s features as NFD''s Features object (sorted keys)'
            cand nodefeaturegroup 'Print one NodeFeatureGroup per compatibility set, for NFD''s master to find the matching nodes cluster-wide'
            cand nodefeaturerule 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches'
        }
        &'nfd-compat;help;export;features'= {
        }
        &'nfd-compat;help;export;nodefeaturegroup'= {
        }
        &'nfd-compat;help;export;nodefeaturerule'= {
        }
        &'nfd-compat;help;attach'= {
        }
        &'nfd-compat;help;list'= {
        }
        &'nfd-compat;help;fetch'= {
        }
        &'nfd-compat;help;detach'= {
        }
        &'nfd-compat;help;copy'= {
        }
        &'nfd-compat;help;schema'= {
        }
        &'nfd-compat;help;completions'= {
        }
        &'nfd-compat;help;man'= {
        }
        &'nfd-compat;help;init'= {
        }
        &'nfd-compat;help;lint'= {
        }
        &'nfd-compat;help;help'= {
        }
    ]
    $completions[$command]
}
