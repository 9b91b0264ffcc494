
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'nfd-compat' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'nfd-compat'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'nfd-compat' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('validate-node', 'validate-node', [CompletionResultType]::ParameterValue, 'Check whether a node satisfies an image-compatibility spec')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print what this tool discovers (NFD''s `nfd export features`)')
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach a spec to an image as a compatibility artifact (checked first)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the compatibility artifacts attached to an image, newest first')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Print the spec of an image''s compatibility artifact')
            [CompletionResult]::new('detach', 'detach', [CompletionResultType]::ParameterValue, 'Remove a compatibility artifact from an image')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy an image''s compatibility artifacts to another registry or OCI layout that already holds the image (`skopeo copy` carries the image but not its artifacts)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (2020-12) of the spec, for editors and other validators')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write a page per command into a directory')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter spec that this host satisfies')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check specs for mistakes: every load error, plus advice (unknown features and elements, values NFD reads differently, rules that can never match...)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nfd-compat;validate-node' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image whose compatibility artifact to validate against (`nginx:1.27`, `registry:5000/app@sha256:...`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)')
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'The spec to validate against: a YAML or JSON file, or `-` for stdin (instead of --image)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Look for the artifact on this platform''s manifest of an image index: os[/arch[/variant]][:os_version]')
            [CompletionResult]::new('--artifact', '--artifact', [CompletionResultType]::ParameterName, 'Use this artifact (a digest) instead of the newest one attached')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file for the registry''s TLS')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The deadline for all registry communication, in seconds')
            [CompletionResult]::new('--registry-username', '--registry-username', [CompletionResultType]::ParameterName, 'The registry username (the password comes from --registry-password-stdin)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--authfile', '--authfile', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--features', '--features', [CompletionResultType]::ParameterName, 'Saved features instead of discovering this host: `nfd export features` output, a NodeFeature, a NodeFeatureList (`kubectl get nodefeatures -A -o json`), or a directory of them; `-` for stdin. Repeat it, or give a list or a directory, to validate a fleet')
            [CompletionResult]::new('--node', '--node', [CompletionResultType]::ParameterName, 'The node to validate when --features holds several')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)')
            [CompletionResult]::new('--machine', '--machine', [CompletionResultType]::ParameterName, 'Take the CPU''s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine')
            [CompletionResult]::new('--tags', '--tags', [CompletionResultType]::ParameterName, 'Evaluate only the compatibility sets with one of these tags (comma-separated or repeated)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The report format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The report format')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Use plain HTTP for all registry communications')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (prints a warning)')
            [CompletionResult]::new('--registry-password-stdin', '--registry-password-stdin', [CompletionResultType]::ParameterName, 'Read the registry password from stdin')
            [CompletionResult]::new('--registry-token-stdin', '--registry-token-stdin', [CompletionResultType]::ParameterName, 'Read a registry access token (sent as a Bearer token) from stdin')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)')
            [CompletionResult]::new('--oci-layout', '--oci-layout', [CompletionResultType]::ParameterName, 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag')
            [CompletionResult]::new('--any', '--any', [CompletionResultType]::ParameterName, 'With several nodes: succeed (exit 0) when at least one node is compatible, instead of all of them')
            [CompletionResult]::new('--output-json', '--output-json', [CompletionResultType]::ParameterName, 'Print NFD''s JSON report shape (as `nfd compat validate-node --output-json`)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;export' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('features', 'features', [CompletionResultType]::ParameterValue, 'Print this host''s features as NFD''s Features object (sorted keys)')
            [CompletionResult]::new('nodefeaturegroup', 'nodefeaturegroup', [CompletionResultType]::ParameterValue, 'Print one NodeFeatureGroup per compatibility set, for NFD''s master to find the matching nodes cluster-wide')
            [CompletionResult]::new('nodefeaturerule', 'nodefeaturerule', [CompletionResultType]::ParameterValue, 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nfd-compat;export;features' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)')
            [CompletionResult]::new('--machine', '--machine', [CompletionResultType]::ParameterName, 'Take the CPU''s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (replaced atomically)')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Write to FILE instead of stdout (replaced atomically)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;export;nodefeaturegroup' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image whose compatibility artifact to export (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)')
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'The spec to export: a YAML or JSON file, or `-` for stdin (instead of --image)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Look for the artifact on this platform''s manifest of an image index: os[/arch[/variant]][:os_version]')
            [CompletionResult]::new('--artifact', '--artifact', [CompletionResultType]::ParameterName, 'Use this artifact (a digest) instead of the newest one attached')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file for the registry''s TLS')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The deadline for all registry communication, in seconds')
            [CompletionResult]::new('--registry-username', '--registry-username', [CompletionResultType]::ParameterName, 'The registry username (the password comes from --registry-password-stdin)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--authfile', '--authfile', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--tags', '--tags', [CompletionResultType]::ParameterName, 'Export only the compatibility sets with one of these tags (comma-separated or repeated)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The objects'' name (default: from the image''s repository and tag, or the spec''s file name)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'The namespace of the NodeFeatureGroups (default: none, i.e. kubectl''s current one)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Use plain HTTP for all registry communications')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (prints a warning)')
            [CompletionResult]::new('--registry-password-stdin', '--registry-password-stdin', [CompletionResultType]::ParameterName, 'Read the registry password from stdin')
            [CompletionResult]::new('--registry-token-stdin', '--registry-token-stdin', [CompletionResultType]::ParameterName, 'Read a registry access token (sent as a Bearer token) from stdin')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)')
            [CompletionResult]::new('--oci-layout', '--oci-layout', [CompletionResultType]::ParameterName, 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;export;nodefeaturerule' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image whose compatibility artifact to export (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)')
            [CompletionResult]::new('--spec', '--spec', [CompletionResultType]::ParameterName, 'The spec to export: a YAML or JSON file, or `-` for stdin (instead of --image)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Look for the artifact on this platform''s manifest of an image index: os[/arch[/variant]][:os_version]')
            [CompletionResult]::new('--artifact', '--artifact', [CompletionResultType]::ParameterName, 'Use this artifact (a digest) instead of the newest one attached')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file for the registry''s TLS')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The deadline for all registry communication, in seconds')
            [CompletionResult]::new('--registry-username', '--registry-username', [CompletionResultType]::ParameterName, 'The registry username (the password comes from --registry-password-stdin)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--authfile', '--authfile', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--tags', '--tags', [CompletionResultType]::ParameterName, 'Export only the compatibility sets with one of these tags (comma-separated or repeated)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'The objects'' name (default: from the image''s repository and tag, or the spec''s file name)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('--label', '--label', [CompletionResultType]::ParameterName, 'A label to set on the compatible nodes (repeatable; default: `nfd-compat.github.io/compatible-<name>=true`)')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Use plain HTTP for all registry communications')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (prints a warning)')
            [CompletionResult]::new('--registry-password-stdin', '--registry-password-stdin', [CompletionResultType]::ParameterName, 'Read the registry password from stdin')
            [CompletionResult]::new('--registry-token-stdin', '--registry-token-stdin', [CompletionResultType]::ParameterName, 'Read a registry access token (sent as a Bearer token) from stdin')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)')
            [CompletionResult]::new('--oci-layout', '--oci-layout', [CompletionResultType]::ParameterName, 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;export;help' {
            [CompletionResult]::new('features', 'features', [CompletionResultType]::ParameterValue, 'Print this host''s features as NFD''s Features object (sorted keys)')
            [CompletionResult]::new('nodefeaturegroup', 'nodefeaturegroup', [CompletionResultType]::ParameterValue, 'Print one NodeFeatureGroup per compatibility set, for NFD''s master to find the matching nodes cluster-wide')
            [CompletionResult]::new('nodefeaturerule', 'nodefeaturerule', [CompletionResultType]::ParameterValue, 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nfd-compat;export;help;features' {
            break
        }
        'nfd-compat;export;help;nodefeaturegroup' {
            break
        }
        'nfd-compat;export;help;nodefeaturerule' {
            break
        }
        'nfd-compat;export;help;help' {
            break
        }
        'nfd-compat;attach' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image to attach to (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)')
            [CompletionResult]::new('--annotation', '--annotation', [CompletionResultType]::ParameterName, 'An annotation for the artifact manifest (repeatable), e.g. `org.opencontainers.image.source=...`')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Attach to this platform''s manifest of an image index: os[/arch[/variant]][:os_version]')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file for the registry''s TLS')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The deadline for all registry communication, in seconds')
            [CompletionResult]::new('--registry-username', '--registry-username', [CompletionResultType]::ParameterName, 'The registry username (the password comes from --registry-password-stdin)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--authfile', '--authfile', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Refuse a spec with lint warnings, not only one with errors (for publishing from CI)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Allow `--annotation org.opencontainers.image.created=...`: the newest artifact is the one validate-node uses, so a date set by hand (in the future, say) decides that for good')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Use plain HTTP for all registry communications')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (prints a warning)')
            [CompletionResult]::new('--registry-password-stdin', '--registry-password-stdin', [CompletionResultType]::ParameterName, 'Read the registry password from stdin')
            [CompletionResult]::new('--registry-token-stdin', '--registry-token-stdin', [CompletionResultType]::ParameterName, 'Read a registry access token (sent as a Bearer token) from stdin')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)')
            [CompletionResult]::new('--oci-layout', '--oci-layout', [CompletionResultType]::ParameterName, 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;list' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'List the artifacts of this platform''s manifest of an image index')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file for the registry''s TLS')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The deadline for all registry communication, in seconds')
            [CompletionResult]::new('--registry-username', '--registry-username', [CompletionResultType]::ParameterName, 'The registry username (the password comes from --registry-password-stdin)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--authfile', '--authfile', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Use plain HTTP for all registry communications')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (prints a warning)')
            [CompletionResult]::new('--registry-password-stdin', '--registry-password-stdin', [CompletionResultType]::ParameterName, 'Read the registry password from stdin')
            [CompletionResult]::new('--registry-token-stdin', '--registry-token-stdin', [CompletionResultType]::ParameterName, 'Read a registry access token (sent as a Bearer token) from stdin')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)')
            [CompletionResult]::new('--oci-layout', '--oci-layout', [CompletionResultType]::ParameterName, 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;fetch' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Look for the artifact on this platform''s manifest of an image index: os[/arch[/variant]][:os_version]')
            [CompletionResult]::new('--artifact', '--artifact', [CompletionResultType]::ParameterName, 'Use this artifact (a digest) instead of the newest one attached')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file for the registry''s TLS')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The deadline for all registry communication, in seconds')
            [CompletionResult]::new('--registry-username', '--registry-username', [CompletionResultType]::ParameterName, 'The registry username (the password comes from --registry-password-stdin)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--authfile', '--authfile', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Use plain HTTP for all registry communications')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (prints a warning)')
            [CompletionResult]::new('--registry-password-stdin', '--registry-password-stdin', [CompletionResultType]::ParameterName, 'Read the registry password from stdin')
            [CompletionResult]::new('--registry-token-stdin', '--registry-token-stdin', [CompletionResultType]::ParameterName, 'Read a registry access token (sent as a Bearer token) from stdin')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)')
            [CompletionResult]::new('--oci-layout', '--oci-layout', [CompletionResultType]::ParameterName, 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;detach' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)')
            [CompletionResult]::new('--artifact', '--artifact', [CompletionResultType]::ParameterName, 'The artifact to remove (its digest, as `list` shows it)')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'The artifact is attached to this platform''s manifest of an image index')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file for the registry''s TLS')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The deadline for all registry communication, in seconds')
            [CompletionResult]::new('--registry-username', '--registry-username', [CompletionResultType]::ParameterName, 'The registry username (the password comes from --registry-password-stdin)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--authfile', '--authfile', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Use plain HTTP for all registry communications')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (prints a warning)')
            [CompletionResult]::new('--registry-password-stdin', '--registry-password-stdin', [CompletionResultType]::ParameterName, 'Read the registry password from stdin')
            [CompletionResult]::new('--registry-token-stdin', '--registry-token-stdin', [CompletionResultType]::ParameterName, 'Read a registry access token (sent as a Bearer token) from stdin')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)')
            [CompletionResult]::new('--oci-layout', '--oci-layout', [CompletionResultType]::ParameterName, 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;copy' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--image', '--image', [CompletionResultType]::ParameterName, 'The image whose artifacts to copy (`host/repo:tag`, `oci:DIR[:TAG|@DIGEST]`)')
            [CompletionResult]::new('--to', '--to', [CompletionResultType]::ParameterName, 'Where to copy them: the same image in another registry or layout')
            [CompletionResult]::new('--artifact', '--artifact', [CompletionResultType]::ParameterName, 'Copy only this artifact (a digest, as `list` shows it) instead of all')
            [CompletionResult]::new('--platform', '--platform', [CompletionResultType]::ParameterName, 'Copy the artifacts of this platform''s manifest of an image index')
            [CompletionResult]::new('--ca-file', '--ca-file', [CompletionResultType]::ParameterName, 'Trust the CA certificates in this PEM file for the registry''s TLS')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'The deadline for all registry communication, in seconds')
            [CompletionResult]::new('--registry-username', '--registry-username', [CompletionResultType]::ParameterName, 'The registry username (the password comes from --registry-password-stdin)')
            [CompletionResult]::new('--registry-config', '--registry-config', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('--authfile', '--authfile', [CompletionResultType]::ParameterName, 'Take stored credentials from this file only (docker''s config.json or podman''s auth.json format) instead of the default locations')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--to-oci-layout', '--to-oci-layout', [CompletionResultType]::ParameterName, 'Read --to as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --to-oci-layout)')
            [CompletionResult]::new('--plain-http', '--plain-http', [CompletionResultType]::ParameterName, 'Use plain HTTP for all registry communications')
            [CompletionResult]::new('--insecure', '--insecure', [CompletionResultType]::ParameterName, 'Skip TLS certificate verification (prints a warning)')
            [CompletionResult]::new('--registry-password-stdin', '--registry-password-stdin', [CompletionResultType]::ParameterName, 'Read the registry password from stdin')
            [CompletionResult]::new('--registry-token-stdin', '--registry-token-stdin', [CompletionResultType]::ParameterName, 'Read a registry access token (sent as a Bearer token) from stdin')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)')
            [CompletionResult]::new('--oci-layout', '--oci-layout', [CompletionResultType]::ParameterName, 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras''s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;schema' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;man' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--dir', '--dir', [CompletionResultType]::ParameterName, 'Write `nfd-compat.1` and a page per subcommand (`nfd-compat-validate-node.1`, ...) into DIR instead of printing `nfd-compat.1`')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;init' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('--host-root', '--host-root', [CompletionResultType]::ParameterName, 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)')
            [CompletionResult]::new('--machine', '--machine', [CompletionResultType]::ParameterName, 'Take the CPU''s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine')
            [CompletionResult]::new('--features', '--features', [CompletionResultType]::ParameterName, 'Start from saved features instead of discovering this host: `nfd export features` output, a NodeFeature, or a NodeFeatureList; `-` for stdin')
            [CompletionResult]::new('--node', '--node', [CompletionResultType]::ParameterName, 'The node to start from when --features holds several')
            [CompletionResult]::new('-p', '-p', [CompletionResultType]::ParameterName, 'Write the spec to FILE (atomically) instead of stdout')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Write the spec to FILE (atomically) instead of stdout')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace FILE when it exists')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;lint' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'When to use colour: auto (a terminal and no NO_COLOR), always, never')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'The output format')
            [CompletionResult]::new('-q', '-q', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--quiet', '--quiet', [CompletionResultType]::ParameterName, 'Print no warnings (errors are still printed)')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail (exit 1) on warnings too')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'nfd-compat;help' {
            [CompletionResult]::new('validate-node', 'validate-node', [CompletionResultType]::ParameterValue, 'Check whether a node satisfies an image-compatibility spec')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print what this tool discovers (NFD''s `nfd export features`)')
            [CompletionResult]::new('attach', 'attach', [CompletionResultType]::ParameterValue, 'Attach a spec to an image as a compatibility artifact (checked first)')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List the compatibility artifacts attached to an image, newest first')
            [CompletionResult]::new('fetch', 'fetch', [CompletionResultType]::ParameterValue, 'Print the spec of an image''s compatibility artifact')
            [CompletionResult]::new('detach', 'detach', [CompletionResultType]::ParameterValue, 'Remove a compatibility artifact from an image')
            [CompletionResult]::new('copy', 'copy', [CompletionResultType]::ParameterValue, 'Copy an image''s compatibility artifacts to another registry or OCI layout that already holds the image (`skopeo copy` carries the image but not its artifacts)')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema (2020-12) of the spec, for editors and other validators')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print the man page, or write a page per command into a directory')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a commented starter spec that this host satisfies')
            [CompletionResult]::new('lint', 'lint', [CompletionResultType]::ParameterValue, 'Check specs for mistakes: every load error, plus advice (unknown features and elements, values NFD reads differently, rules that can never match...)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'nfd-compat;help;validate-node' {
            break
        }
        'nfd-compat;help;export' {
            [CompletionResult]::new('features', 'features', [CompletionResultType]::ParameterValue, 'Print this host''s features as NFD''s Features object (sorted keys)')
            [CompletionResult]::new('nodefeaturegroup', 'nodefeaturegroup', [CompletionResultType]::ParameterValue, 'Print one NodeFeatureGroup per compatibility set, for NFD''s master to find the matching nodes cluster-wide')
            [CompletionResult]::new('nodefeaturerule', 'nodefeaturerule', [CompletionResultType]::ParameterValue, 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches')
            break
        }
        'nfd-compat;help;export;features' {
            break
        }
        'nfd-compat;help;export;nodefeaturegroup' {
            break
        }
        'nfd-compat;help;export;nodefeaturerule' {
            break
        }
        'nfd-compat;help;attach' {
            break
        }
        'nfd-compat;help;list' {
            break
        }
        'nfd-compat;help;fetch' {
            break
        }
        'nfd-compat;help;detach' {
            break
        }
        'nfd-compat;help;copy' {
            break
        }
        'nfd-compat;help;schema' {
            break
        }
        'nfd-compat;help;completions' {
            break
        }
        'nfd-compat;help;man' {
            break
        }
        'nfd-compat;help;init' {
            break
        }
        'nfd-compat;help;lint' {
            break
        }
        'nfd-compat;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
