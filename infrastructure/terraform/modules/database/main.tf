# Postgres 15 on RDS: the record of everything that matters. Encrypted storage, automated backups with
# point-in-time recovery, an optional Multi-AZ standby, TLS required for every connection, and a parameter
# group that logs slow statements.

# The master password: 40 letters and digits (nothing that would need escaping in DATABASE_URL). The data
# source draws a new one on every plan; ignore_changes below keeps the one the instance was created with,
# and docs/operations.md rotates it. It is in Terraform's state: keep the state encrypted (see README).
data "aws_secretsmanager_random_password" "master" {
  password_length     = 40
  exclude_punctuation = true
  include_space       = false
}

resource "aws_db_subnet_group" "this" {
  name       = "${var.name}-postgres"
  subnet_ids = var.private_subnet_ids
  tags       = var.tags
}

resource "aws_db_parameter_group" "this" {
  name_prefix = "${var.name}-postgres15-"
  family      = "postgres15"
  description = "Learning Gateway Postgres 15"

  # Refuse unencrypted connections: DATABASE_URL carries sslmode=require.
  parameter {
    name  = "rds.force_ssl"
    value = "1"
  }

  parameter {
    name  = "log_min_duration_statement"
    value = tostring(var.log_min_duration_ms)
  }

  # A transaction left open by a crashed client must not hold locks (and the inbox's row locks) for ever.
  parameter {
    name  = "idle_in_transaction_session_timeout"
    value = "60000"
  }

  parameter {
    name  = "log_lock_waits"
    value = "1"
  }

  tags = var.tags

  lifecycle {
    create_before_destroy = true
  }
}

resource "aws_db_instance" "this" {
  identifier     = var.name
  engine         = "postgres"
  engine_version = var.engine_version
  instance_class = var.instance_class

  db_name  = var.database_name
  username = var.username
  password = data.aws_secretsmanager_random_password.master.random_password
  port     = 5432

  allocated_storage     = var.allocated_storage
  max_allocated_storage = var.max_allocated_storage > 0 ? var.max_allocated_storage : null
  storage_type          = "gp3"
  storage_encrypted     = true
  kms_key_id            = var.kms_key_arn == "" ? null : var.kms_key_arn

  db_subnet_group_name   = aws_db_subnet_group.this.name
  vpc_security_group_ids = [var.security_group_id]
  parameter_group_name   = aws_db_parameter_group.this.name
  publicly_accessible    = false
  multi_az               = var.multi_az

  backup_retention_period  = var.backup_retention_days
  backup_window            = var.backup_window
  maintenance_window       = var.maintenance_window
  copy_tags_to_snapshot    = true
  delete_automated_backups = !var.deletion_protection

  deletion_protection       = var.deletion_protection
  skip_final_snapshot       = !var.deletion_protection
  final_snapshot_identifier = "${var.name}-final"

  auto_minor_version_upgrade      = true
  allow_major_version_upgrade     = false
  apply_immediately               = var.apply_immediately
  enabled_cloudwatch_logs_exports = ["postgresql", "upgrade"]

  performance_insights_enabled          = var.performance_insights_enabled
  performance_insights_retention_period = var.performance_insights_enabled ? 7 : null
  performance_insights_kms_key_id       = var.performance_insights_enabled && var.kms_key_arn != "" ? var.kms_key_arn : null

  tags = var.tags

  lifecycle {
    # The password is set once here and rotated by the runbook, never by a plan (see the data source above).
    ignore_changes = [password]
  }
}
