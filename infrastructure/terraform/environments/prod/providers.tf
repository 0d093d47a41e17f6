provider "aws" {
  region = var.region

  default_tags {
    tags = {
      Application = "learning-gateway"
      Environment = "prod"
      ManagedBy   = "terraform"
    }
  }
}
