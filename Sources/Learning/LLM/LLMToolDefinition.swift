/// A tool as a model sees it: name, description and a JSON Schema of its input.
package struct LLMToolDefinition: Sendable, Hashable {
    package var name: String
    package var description: String
    /// A JSON Schema object (`{"type": "object", "properties": …, "required": …}`).
    package var inputSchema: JSONValue

    package init(name: String, description: String, inputSchema: JSONValue) {
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }

    /// The definition of one of the learning tools, from its own name, description and schema.
    package init(_ tool: any LearningTool) throws {
        self.init(name: tool.name, description: tool.description, inputSchema: try JSONValue.encoding(tool.inputSchema))
    }
}
