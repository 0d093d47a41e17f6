output "secret_arns" {
  description = "Environment variable name → secret ARN, for the task definitions' `secrets`."
  value       = { for name, secret in aws_secretsmanager_secret.this : name => secret.arn }
}

output "provider_secret_names" {
  description = "Secret name (in Secrets Manager) of each provider credential an operator must fill in."
  value       = { for name in var.provider_secret_names : name => aws_secretsmanager_secret.this[name].name }
}
