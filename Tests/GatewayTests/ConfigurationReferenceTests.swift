import Foundation
import Testing

/// docs/configuration.md must list every variable the configuration reads, and .env.example must mention it.
@Suite struct ConfigurationReferenceTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The variable names the configuration reader asks for (string literals passed to the reader).
    static func variablesReadByTheCode() throws -> Set<String> {
        let source = try String(
            contentsOf: root.appendingPathComponent("Sources/Gateway/Configuration/GatewayConfiguration.swift"),
            encoding: .utf8)
        let pattern = /reader\.(?:required|optional|integer|url|list)\(\s*"([A-Z][A-Z0-9_]+)"/
        return Set(source.matches(of: pattern).map { String($0.output.1) })
    }

    @Test func everyVariableTheCodeReadsIsDocumented() throws {
        let variables = try Self.variablesReadByTheCode()
        #expect(variables.count >= 25, "the pattern no longer finds the reader's calls")
        let reference = try String(
            contentsOf: Self.root.appendingPathComponent("docs/configuration.md"), encoding: .utf8)
        let example = try String(contentsOf: Self.root.appendingPathComponent(".env.example"), encoding: .utf8)
        for variable in variables.sorted() {
            #expect(reference.contains("| `\(variable)` |"), "docs/configuration.md does not list \(variable)")
            #expect(example.contains("\(variable)="), ".env.example does not mention \(variable)")
        }
    }
}
