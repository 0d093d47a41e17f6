variable "name" {
  description = "Prefix of every secret's name: secrets are called NAME/VARIABLE, e.g. learning-gateway-prod/SLACK_BOT_TOKEN."
  type        = string
}

variable "provider_secret_names" {
  description = "The gateway's settings that hold provider credentials or keys. Terraform creates each secret empty; an operator puts its value (docs/operations.md). Leave out what you do not use (e.g. ANTHROPIC_API_KEY): a secret in this list with no value stops the tasks from starting."
  type        = list(string)
  nullable    = false
  default = [
    "SLACK_SIGNING_SECRET",
    "SLACK_BOT_TOKEN",
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "ANTHROPIC_API_KEY",
    "GATEWAY_API_KEYS",
  ]

  validation {
    condition = alltrue([for name in var.provider_secret_names : contains([
      "SLACK_SIGNING_SECRET", "SLACK_BOT_TOKEN", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "ANTHROPIC_API_KEY",
      "GATEWAY_API_KEYS",
    ], name)])
    error_message = "provider_secret_names may hold SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, ANTHROPIC_API_KEY and GATEWAY_API_KEYS (DATABASE_URL and REDIS_URL are always made here)."
  }
}

variable "database" {
  description = "Where Postgres is and how to log in; DATABASE_URL is built from it (with sslmode=require)."
  type = object({
    address  = string
    port     = number
    name     = string
    username = string
    password = string
  })
  sensitive = true
}

variable "redis" {
  description = "Where Redis's primary is; REDIS_URL is built from it."
  type = object({
    address = string
    port    = number
  })
}

variable "kms_key_arn" {
  description = "KMS key for the secrets; empty uses the account's aws/secretsmanager key."
  type        = string
  default     = ""
}

variable "recovery_window_days" {
  description = "Days a deleted secret can still be restored (0 deletes at once; 7 to 30 otherwise)."
  type        = number
  default     = 7
}

variable "tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}
