variable "region" {
  description = "AWS region to deploy in."
  type        = string
}

variable "image" {
  description = "The gateway's container image, preferably by digest (ECR_REPOSITORY@sha256:…)."
  type        = string
}

variable "cpu_architecture" {
  description = "CPU architecture the image was built for: X86_64 or ARM64."
  type        = string
  default     = "X86_64"
}

variable "public_base_url" {
  description = "https://HOST that Slack and Twilio call."
  type        = string
}

variable "certificate_arn" {
  description = "ACM certificate covering HOST, in var.region."
  type        = string
}

variable "environment" {
  description = "Non-secret settings for the gateway (docs/configuration.md): LOG_LEVEL, TWILIO_FROM_NUMBER or TWILIO_MESSAGING_SERVICE_SID, TWILIO_MESSAGES_PER_SECOND, ADMIN_SLACK_USER_IDS, DATABASE_POOL_SIZE…"
  type        = map(string)
  default     = {}
}

variable "provider_secret_names" {
  description = "Provider credentials to create in Secrets Manager and inject; null means all of them (see the secrets module). Leave out what you do not use."
  type        = list(string)
  default     = null
}

variable "kms_key_arn" {
  description = "Customer-managed KMS key for Postgres, Redis and the secrets; empty uses AWS-managed keys."
  type        = string
  default     = ""
}

variable "alarm_emails" {
  description = "Email addresses that receive alarms."
  type        = list(string)
  default     = []
}

variable "expose_agent_api" {
  description = "Route /api/* (the agent API) through the load balancer."
  type        = bool
  default     = false
}
