import Foundation

/// One of the agent's tools: a name and JSON schema a planner can choose from, and a JSON entry point over the
/// tool's typed Swift API.
package protocol LearningTool: Sendable {
    /// The stable tool name (`assess_knowledge`…), as planners and logs know it.
    var name: String { get }
    /// What the tool does and when to use it, for a planner to read.
    var description: String { get }
    /// The input the tool accepts.
    var inputSchema: ToolInputSchema { get }
    /// Runs the tool on JSON input and returns JSON output. Input that does not match the schema throws
    /// `LearningError` with code `invalidToolInput`.
    func run(input: JSONValue) async throws -> JSONValue
}

extension LearningTool {
    /// Decodes `input` as `T`, turning decoding failures into an `invalidToolInput` error naming the field.
    func decodeInput<T: Decodable>(_ type: T.Type, from input: JSONValue) throws -> T {
        do {
            return try input.decoded(as: T.self)
        } catch let DecodingError.keyNotFound(key, _) {
            throw LearningError(code: .invalidToolInput, message: "\(name): missing field \(key.stringValue)")
        } catch let DecodingError.typeMismatch(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw LearningError(code: .invalidToolInput, message: "\(name): field \(field) has the wrong type")
        } catch let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw LearningError(code: .invalidToolInput, message: "\(name): field \(field) is null")
        } catch let DecodingError.dataCorrupted(context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw LearningError(code: .invalidToolInput, message: "\(name): field \(field) has an invalid value")
        } catch {
            throw LearningError(code: .invalidToolInput, message: "\(name): input is not an object of the schema")
        }
    }

    /// Parses a learner id field.
    func learnerID(_ text: String) throws -> UUID {
        guard let id = UUID(uuidString: text) else {
            throw LearningError(code: .invalidToolInput, message: "\(name): learner_id must be a UUID")
        }
        return id
    }
}
