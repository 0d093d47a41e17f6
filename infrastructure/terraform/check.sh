#!/usr/bin/env bash
# Offline checks of the Terraform code (`make terraform-check`, run in CI):
#   1. `terraform fmt -check -recursive` over infrastructure/terraform;
#   2. in every environments/* folder, `terraform init -backend=false` from a local provider mirror, then
#      `terraform validate` (catches wrong argument names, types and references against the real AWS schema).
#
# No network is needed. The provider comes from a filesystem mirror laid out as
# MIRROR/registry.terraform.io/hashicorp/aws/VERSION/OS_ARCH/: TF_PLUGIN_DIR names it, else /opt/tf-plugins.
# Without a mirror, validate is skipped with a message (fmt still runs). Without terraform, everything is
# skipped with a message, unless REQUIRE_TERRAFORM=1, which makes that an error.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v terraform >/dev/null 2>&1; then
    if [[ "${REQUIRE_TERRAFORM:-0}" == "1" ]]; then
        echo "terraform-check: terraform is not on PATH and REQUIRE_TERRAFORM=1" >&2
        exit 1
    fi
    echo "terraform-check: SKIPPED: terraform is not on PATH (install it, or set REQUIRE_TERRAFORM=1 to make this an error)"
    exit 0
fi

# Quiet and offline: no prompts, no update check, and no warning about a CLI config file that is named but absent.
export TF_IN_AUTOMATION=1 TF_INPUT=0 CHECKPOINT_DISABLE=1
if [[ -n "${TF_CLI_CONFIG_FILE:-}" && ! -f "${TF_CLI_CONFIG_FILE}" ]]; then
    unset TF_CLI_CONFIG_FILE
fi

echo "terraform-check: $(terraform version | head -n 1)"
echo "terraform-check: terraform fmt -check -recursive"
if ! terraform fmt -check -recursive -diff .; then
    echo "terraform-check: FAILED: run 'terraform fmt -recursive infrastructure/terraform'" >&2
    exit 1
fi

mirror="${TF_PLUGIN_DIR:-/opt/tf-plugins}"
if [[ ! -d "$mirror/registry.terraform.io/hashicorp/aws" ]]; then
    echo "terraform-check: validate SKIPPED: no provider mirror at $mirror (set TF_PLUGIN_DIR to a folder holding registry.terraform.io/hashicorp/aws/...)"
    exit 0
fi

# Provider plugins and module links go to a scratch folder, not into the tree.
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT

status=0
for environment in environments/*/; do
    environment="${environment%/}"
    name="$(basename "$environment")"
    echo "terraform-check: validate $environment"
    export TF_DATA_DIR="$scratch/$name"
    # -lockfile=readonly would refuse a missing lock file; the lock file is not committed (see the README), so
    # init writes one next to the configuration, where .gitignore keeps it out of git.
    if ! (cd "$environment" && terraform init -backend=false -input=false -no-color -plugin-dir="$mirror" >"$scratch/$name-init.log" 2>&1); then
        cat "$scratch/$name-init.log" >&2
        echo "terraform-check: FAILED: terraform init in $environment" >&2
        status=1
        continue
    fi
    if ! (cd "$environment" && terraform validate -no-color); then
        echo "terraform-check: FAILED: terraform validate in $environment" >&2
        status=1
    fi
done
unset TF_DATA_DIR

if [[ $status -eq 0 ]]; then
    echo "terraform-check: OK"
fi
exit $status
