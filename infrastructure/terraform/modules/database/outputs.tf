output "identifier" {
  description = "The DB instance identifier (CloudWatch dimension DBInstanceIdentifier)."
  value       = aws_db_instance.this.identifier
}

output "address" {
  description = "Host name of the Postgres endpoint (follows a Multi-AZ failover)."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Postgres port."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "The gateway's database."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "The master user, as which the gateway connects."
  value       = aws_db_instance.this.username
}

output "master_password" {
  description = "The master password drawn for this plan. Only its first value (at creation) is the real one; the secrets module keeps that one."
  value       = data.aws_secretsmanager_random_password.master.random_password
  sensitive   = true
}
