terraform {
  required_version = ">= 1.6"

  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.100"
    }
  }

  # State is local (terraform.tfstate in this folder) until you add a remote backend. For a team, use S3 with
  # locking, as infrastructure/terraform/README.md describes: copy backend.tf.example to backend.tf, fill it
  # in, and run `terraform init -migrate-state`.
}
