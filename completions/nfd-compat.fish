# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_nfd_compat_global_optspecs
    string join \n color= q/quiet h/help V/version
end

function __fish_nfd_compat_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_nfd_compat_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_nfd_compat_using_subcommand
    set -l cmd (__fish_nfd_compat_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -s V -l version -d 'Print version'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "validate-node" -d 'Check whether a node satisfies an image-compatibility spec'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "export" -d 'Print what this tool discovers (NFD\'s `nfd export features`)'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "attach" -d 'Attach a spec to an image as a compatibility artifact (checked first)'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "list" -d 'List the compatibility artifacts attached to an image, newest first'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "fetch" -d 'Print the spec of an image\'s compatibility artifact'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "detach" -d 'Remove a compatibility artifact from an image'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "copy" -d 'Copy an image\'s compatibility artifacts to another registry or OCI layout that already holds the image (`skopeo copy` carries the image but not its artifacts)'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "schema" -d 'Print the JSON Schema (2020-12) of the spec, for editors and other validators'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "man" -d 'Print the man page, or write a page per command into a directory'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "init" -d 'Write a commented starter spec that this host satisfies'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "lint" -d 'Check specs for mistakes: every load error, plus advice (unknown features and elements, values NFD reads differently, rules that can never match...)'
complete -c nfd-compat -n "__fish_nfd_compat_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l image -d 'The image whose compatibility artifact to validate against (`nginx:1.27`, `registry:5000/app@sha256:...`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l spec -d 'The spec to validate against: a YAML or JSON file, or `-` for stdin (instead of --image)' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l platform -d 'Look for the artifact on this platform\'s manifest of an image index: os[/arch[/variant]][:os_version]' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l artifact -d 'Use this artifact (a digest) instead of the newest one attached' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l ca-file -d 'Trust the CA certificates in this PEM file for the registry\'s TLS' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l timeout -d 'The deadline for all registry communication, in seconds' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l registry-username -d 'The registry username (the password comes from --registry-password-stdin)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l registry-config -l authfile -d 'Take stored credentials from this file only (docker\'s config.json or podman\'s auth.json format) instead of the default locations' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l features -d 'Saved features instead of discovering this host: `nfd export features` output, a NodeFeature, a NodeFeatureList (`kubectl get nodefeatures -A -o json`), or a directory of them; `-` for stdin. Repeat it, or give a list or a directory, to validate a fleet' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l node -d 'The node to validate when --features holds several' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l host-root -d 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l machine -d 'Take the CPU\'s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l tags -d 'Evaluate only the compatibility sets with one of these tags (comma-separated or repeated)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -s o -l output -d 'The report format' -r -f -a "table\t'A table for people'
json\t'The rich report as JSON'
yaml\t'The rich report as YAML'
junit\t'JUnit XML: one testcase per rule (GitLab, Jenkins, ...)'
github\t'GitHub Actions workflow commands: `::error` annotations per failed rule'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l plain-http -d 'Use plain HTTP for all registry communications'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l insecure -d 'Skip TLS certificate verification (prints a warning)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l registry-password-stdin -d 'Read the registry password from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l registry-token-stdin -d 'Read a registry access token (sent as a Bearer token) from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l debug -d 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l oci-layout -d 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l any -d 'With several nodes: succeed (exit 0) when at least one node is compatible, instead of all of them'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -l output-json -d 'Print NFD\'s JSON report shape (as `nfd compat validate-node --output-json`)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand validate-node" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and not __fish_seen_subcommand_from features nodefeaturegroup nodefeaturerule help" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and not __fish_seen_subcommand_from features nodefeaturegroup nodefeaturerule help" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and not __fish_seen_subcommand_from features nodefeaturegroup nodefeaturerule help" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and not __fish_seen_subcommand_from features nodefeaturegroup nodefeaturerule help" -f -a "features" -d 'Print this host\'s features as NFD\'s Features object (sorted keys)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and not __fish_seen_subcommand_from features nodefeaturegroup nodefeaturerule help" -f -a "nodefeaturegroup" -d 'Print one NodeFeatureGroup per compatibility set, for NFD\'s master to find the matching nodes cluster-wide'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and not __fish_seen_subcommand_from features nodefeaturegroup nodefeaturerule help" -f -a "nodefeaturerule" -d 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and not __fish_seen_subcommand_from features nodefeaturegroup nodefeaturerule help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from features" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from features" -l host-root -d 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from features" -l machine -d 'Take the CPU\'s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from features" -s o -l output -d 'The output format' -r -f -a "json\t'JSON'
yaml\t'YAML'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from features" -s p -l path -d 'Write to FILE instead of stdout (replaced atomically)' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from features" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from features" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l image -d 'The image whose compatibility artifact to export (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l spec -d 'The spec to export: a YAML or JSON file, or `-` for stdin (instead of --image)' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l platform -d 'Look for the artifact on this platform\'s manifest of an image index: os[/arch[/variant]][:os_version]' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l artifact -d 'Use this artifact (a digest) instead of the newest one attached' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l ca-file -d 'Trust the CA certificates in this PEM file for the registry\'s TLS' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l timeout -d 'The deadline for all registry communication, in seconds' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l registry-username -d 'The registry username (the password comes from --registry-password-stdin)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l registry-config -l authfile -d 'Take stored credentials from this file only (docker\'s config.json or podman\'s auth.json format) instead of the default locations' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l tags -d 'Export only the compatibility sets with one of these tags (comma-separated or repeated)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l name -d 'The objects\' name (default: from the image\'s repository and tag, or the spec\'s file name)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -s o -l output -d 'The output format' -r -f -a "json\t'JSON'
yaml\t'YAML'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l namespace -d 'The namespace of the NodeFeatureGroups (default: none, i.e. kubectl\'s current one)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l plain-http -d 'Use plain HTTP for all registry communications'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l insecure -d 'Skip TLS certificate verification (prints a warning)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l registry-password-stdin -d 'Read the registry password from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l registry-token-stdin -d 'Read a registry access token (sent as a Bearer token) from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l debug -d 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -l oci-layout -d 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturegroup" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l image -d 'The image whose compatibility artifact to export (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l spec -d 'The spec to export: a YAML or JSON file, or `-` for stdin (instead of --image)' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l platform -d 'Look for the artifact on this platform\'s manifest of an image index: os[/arch[/variant]][:os_version]' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l artifact -d 'Use this artifact (a digest) instead of the newest one attached' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l ca-file -d 'Trust the CA certificates in this PEM file for the registry\'s TLS' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l timeout -d 'The deadline for all registry communication, in seconds' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l registry-username -d 'The registry username (the password comes from --registry-password-stdin)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l registry-config -l authfile -d 'Take stored credentials from this file only (docker\'s config.json or podman\'s auth.json format) instead of the default locations' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l tags -d 'Export only the compatibility sets with one of these tags (comma-separated or repeated)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l name -d 'The objects\' name (default: from the image\'s repository and tag, or the spec\'s file name)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -s o -l output -d 'The output format' -r -f -a "json\t'JSON'
yaml\t'YAML'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l label -d 'A label to set on the compatible nodes (repeatable; default: `nfd-compat.github.io/compatible-<name>=true`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l plain-http -d 'Use plain HTTP for all registry communications'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l insecure -d 'Skip TLS certificate verification (prints a warning)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l registry-password-stdin -d 'Read the registry password from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l registry-token-stdin -d 'Read a registry access token (sent as a Bearer token) from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l debug -d 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -l oci-layout -d 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from nodefeaturerule" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "features" -d 'Print this host\'s features as NFD\'s Features object (sorted keys)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "nodefeaturegroup" -d 'Print one NodeFeatureGroup per compatibility set, for NFD\'s master to find the matching nodes cluster-wide'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "nodefeaturerule" -d 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand export; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l image -d 'The image to attach to (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l annotation -d 'An annotation for the artifact manifest (repeatable), e.g. `org.opencontainers.image.source=...`' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l platform -d 'Attach to this platform\'s manifest of an image index: os[/arch[/variant]][:os_version]' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l ca-file -d 'Trust the CA certificates in this PEM file for the registry\'s TLS' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l timeout -d 'The deadline for all registry communication, in seconds' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l registry-username -d 'The registry username (the password comes from --registry-password-stdin)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l registry-config -l authfile -d 'Take stored credentials from this file only (docker\'s config.json or podman\'s auth.json format) instead of the default locations' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l strict -d 'Refuse a spec with lint warnings, not only one with errors (for publishing from CI)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l force -d 'Allow `--annotation org.opencontainers.image.created=...`: the newest artifact is the one validate-node uses, so a date set by hand (in the future, say) decides that for good'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l plain-http -d 'Use plain HTTP for all registry communications'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l insecure -d 'Skip TLS certificate verification (prints a warning)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l registry-password-stdin -d 'Read the registry password from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l registry-token-stdin -d 'Read a registry access token (sent as a Bearer token) from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l debug -d 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -l oci-layout -d 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand attach" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l image -d 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l platform -d 'List the artifacts of this platform\'s manifest of an image index' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -s o -l output -d 'The output format' -r -f -a "table\t'A table for people'
json\t'JSON'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l ca-file -d 'Trust the CA certificates in this PEM file for the registry\'s TLS' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l timeout -d 'The deadline for all registry communication, in seconds' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l registry-username -d 'The registry username (the password comes from --registry-password-stdin)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l registry-config -l authfile -d 'Take stored credentials from this file only (docker\'s config.json or podman\'s auth.json format) instead of the default locations' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l plain-http -d 'Use plain HTTP for all registry communications'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l insecure -d 'Skip TLS certificate verification (prints a warning)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l registry-password-stdin -d 'Read the registry password from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l registry-token-stdin -d 'Read a registry access token (sent as a Bearer token) from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l debug -d 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -l oci-layout -d 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand list" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l image -d 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l platform -d 'Look for the artifact on this platform\'s manifest of an image index: os[/arch[/variant]][:os_version]' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l artifact -d 'Use this artifact (a digest) instead of the newest one attached' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l ca-file -d 'Trust the CA certificates in this PEM file for the registry\'s TLS' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l timeout -d 'The deadline for all registry communication, in seconds' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l registry-username -d 'The registry username (the password comes from --registry-password-stdin)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l registry-config -l authfile -d 'Take stored credentials from this file only (docker\'s config.json or podman\'s auth.json format) instead of the default locations' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l plain-http -d 'Use plain HTTP for all registry communications'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l insecure -d 'Skip TLS certificate verification (prints a warning)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l registry-password-stdin -d 'Read the registry password from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l registry-token-stdin -d 'Read a registry access token (sent as a Bearer token) from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l debug -d 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -l oci-layout -d 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand fetch" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l image -d 'The image (`host/repo:tag`, or an OCI layout `oci:DIR[:TAG|@DIGEST]`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l artifact -d 'The artifact to remove (its digest, as `list` shows it)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l platform -d 'The artifact is attached to this platform\'s manifest of an image index' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l ca-file -d 'Trust the CA certificates in this PEM file for the registry\'s TLS' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l timeout -d 'The deadline for all registry communication, in seconds' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l registry-username -d 'The registry username (the password comes from --registry-password-stdin)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l registry-config -l authfile -d 'Take stored credentials from this file only (docker\'s config.json or podman\'s auth.json format) instead of the default locations' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l plain-http -d 'Use plain HTTP for all registry communications'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l insecure -d 'Skip TLS certificate verification (prints a warning)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l registry-password-stdin -d 'Read the registry password from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l registry-token-stdin -d 'Read a registry access token (sent as a Bearer token) from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l debug -d 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -l oci-layout -d 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand detach" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l image -d 'The image whose artifacts to copy (`host/repo:tag`, `oci:DIR[:TAG|@DIGEST]`)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l to -d 'Where to copy them: the same image in another registry or layout' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l artifact -d 'Copy only this artifact (a digest, as `list` shows it) instead of all' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l platform -d 'Copy the artifacts of this platform\'s manifest of an image index' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l ca-file -d 'Trust the CA certificates in this PEM file for the registry\'s TLS' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l timeout -d 'The deadline for all registry communication, in seconds' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l registry-username -d 'The registry username (the password comes from --registry-password-stdin)' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l registry-config -l authfile -d 'Take stored credentials from this file only (docker\'s config.json or podman\'s auth.json format) instead of the default locations' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l to-oci-layout -d 'Read --to as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --to-oci-layout)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l plain-http -d 'Use plain HTTP for all registry communications'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l insecure -d 'Skip TLS certificate verification (prints a warning)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l registry-password-stdin -d 'Read the registry password from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l registry-token-stdin -d 'Read a registry access token (sent as a Bearer token) from stdin'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l debug -d 'Trace every registry request on stderr: method, URL, status, time, retries, token scopes, proxies and where the credentials came from (secrets are never shown)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -l oci-layout -d 'Read --image as an OCI image layout, `DIR[:TAG|@DIGEST]` (as oras\'s --oci-layout); `--image oci:DIR[:TAG|@DIGEST]` needs no flag'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand copy" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand schema" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand schema" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand schema" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand completions" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand completions" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand man" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand man" -l dir -d 'Write `nfd-compat.1` and a page per subcommand (`nfd-compat-validate-node.1`, ...) into DIR instead of printing `nfd-compat.1`' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand man" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand man" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -l host-root -d 'Discover the host mounted at DIR (its /proc, /sys, /etc, /usr, /lib, /boot)' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -l machine -d 'Take the CPU\'s identity (CPUID leaves, or arm64 HWCAP and MIDR) from a capture file instead of this CPU; for host trees captured on another machine' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -l features -d 'Start from saved features instead of discovering this host: `nfd export features` output, a NodeFeature, or a NodeFeatureList; `-` for stdin' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -l node -d 'The node to start from when --features holds several' -r
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -s p -l path -d 'Write the spec to FILE (atomically) instead of stdout' -r -F
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -l force -d 'Replace FILE when it exists'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand init" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand lint" -l color -d 'When to use colour: auto (a terminal and no NO_COLOR), always, never' -r -f -a "auto\t'On a terminal, unless NO_COLOR is set'
always\t'Always'
never\t'Never'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand lint" -s o -l output -d 'The output format' -r -f -a "text\t'`FILE:LINE:COL: severity[code]: message` lines and a summary per file'
json\t'A JSON array of `{file, findings}`'"
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand lint" -s q -l quiet -d 'Print no warnings (errors are still printed)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand lint" -l strict -d 'Fail (exit 1) on warnings too'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand lint" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "validate-node" -d 'Check whether a node satisfies an image-compatibility spec'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "export" -d 'Print what this tool discovers (NFD\'s `nfd export features`)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "attach" -d 'Attach a spec to an image as a compatibility artifact (checked first)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "list" -d 'List the compatibility artifacts attached to an image, newest first'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "fetch" -d 'Print the spec of an image\'s compatibility artifact'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "detach" -d 'Remove a compatibility artifact from an image'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "copy" -d 'Copy an image\'s compatibility artifacts to another registry or OCI layout that already holds the image (`skopeo copy` carries the image but not its artifacts)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "schema" -d 'Print the JSON Schema (2020-12) of the spec, for editors and other validators'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "completions" -d 'Print a shell completion script'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "man" -d 'Print the man page, or write a page per command into a directory'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "init" -d 'Write a commented starter spec that this host satisfies'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "lint" -d 'Check specs for mistakes: every load error, plus advice (unknown features and elements, values NFD reads differently, rules that can never match...)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and not __fish_seen_subcommand_from validate-node export attach list fetch detach copy schema completions man init lint help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and __fish_seen_subcommand_from export" -f -a "features" -d 'Print this host\'s features as NFD\'s Features object (sorted keys)'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and __fish_seen_subcommand_from export" -f -a "nodefeaturegroup" -d 'Print one NodeFeatureGroup per compatibility set, for NFD\'s master to find the matching nodes cluster-wide'
complete -c nfd-compat -n "__fish_nfd_compat_using_subcommand help; and __fish_seen_subcommand_from export" -f -a "nodefeaturerule" -d 'Print a NodeFeatureRule that labels the nodes where some compatibility set matches'
