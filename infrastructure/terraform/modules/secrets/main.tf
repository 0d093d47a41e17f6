# Every secret the gateway reads, in Secrets Manager, named NAME/VARIABLE. ECS injects each into the containers
# as the environment variable of the same name (the task definitions' `secrets`), so no value is ever in a task
# definition, an image or a log.
#
# Provider credentials (Slack, Twilio, Anthropic, agent API keys) are created empty: Terraform never sees
# their values. An operator puts each one with `aws secretsmanager put-secret-value` (docs/operations.md)
# before the services start. DATABASE_URL and REDIS_URL are written here from what the database and cache
# modules made; afterwards Terraform leaves DATABASE_URL alone, so that a rotated password is not put back.

locals {
  kms_key_id = var.kms_key_arn == "" ? null : var.kms_key_arn

  database_url = format(
    "postgres://%s:%s@%s:%d/%s?sslmode=require",
    var.database.username, var.database.password, var.database.address, var.database.port, var.database.name,
  )
  redis_url = format("redis://%s:%d/0", var.redis.address, var.redis.port)

  descriptions = merge(
    { for name in var.provider_secret_names : name => "Learning Gateway ${name} (value set by an operator; see docs/operations.md)" },
    {
      DATABASE_URL = "Learning Gateway DATABASE_URL (Postgres URL with the password)"
      REDIS_URL    = "Learning Gateway REDIS_URL"
    },
  )
}

resource "aws_secretsmanager_secret" "this" {
  for_each = local.descriptions

  name                    = "${var.name}/${each.key}"
  description             = each.value
  kms_key_id              = local.kms_key_id
  recovery_window_in_days = var.recovery_window_days
  tags                    = var.tags
}

resource "aws_secretsmanager_secret_version" "database_url" {
  secret_id     = aws_secretsmanager_secret.this["DATABASE_URL"].id
  secret_string = local.database_url

  lifecycle {
    # Written once; the password rotation in docs/operations.md puts new versions.
    ignore_changes = [secret_string]
  }
}

# Kept in step with the cache module's endpoint (it holds no password: see docs/security.md on Redis).
resource "aws_secretsmanager_secret_version" "redis_url" {
  secret_id     = aws_secretsmanager_secret.this["REDIS_URL"].id
  secret_string = local.redis_url
}
