/// A setting is missing or malformed. The message names the variable and what it expects; it never repeats
/// the value, which may be a secret.
package struct ConfigurationError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The environment variable at fault.
    package let variable: String
    /// What the variable must hold.
    package let expected: String
    /// True when the variable is absent (or empty) rather than malformed.
    package let missing: Bool

    package static func missing(_ variable: String, expected: String) -> ConfigurationError {
        ConfigurationError(variable: variable, expected: expected, missing: true)
    }

    package static func malformed(_ variable: String, expected: String) -> ConfigurationError {
        ConfigurationError(variable: variable, expected: expected, missing: false)
    }

    package var description: String {
        missing
            ? "\(variable) is not set: it must be \(expected). Set it in the environment or in .env (see .env.example)."
            : "\(variable) is malformed: it must be \(expected)."
    }
}
