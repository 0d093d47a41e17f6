import Foundation
import Postgres

/// The schema migrations shipped with the gateway (`Sources/Gateway/Migrations/NNNN_name.sql`).
package enum GatewayMigrations {
    /// Every bundled migration, in order.
    package static func all() throws -> [Migration] {
        guard let folder = Bundle.module.url(forResource: "Migrations", withExtension: nil) else {
            throw PostgresError(
                code: .migration,
                message: "the Migrations resource folder is missing from the installed gateway; reinstall it")
        }
        return try Migration.load(from: folder)
    }
}
