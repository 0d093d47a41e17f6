import Learning

/// The JSON of the Messages API (`POST /v1/messages`), non-streaming, text and tool use only.
enum AnthropicWireFormat {
    struct Request: Encodable {
        let model: String
        let maxTokens: Int
        let system: String
        let messages: [Message]
        let tools: [Tool]?

        enum CodingKeys: String, CodingKey {
            case model, system, messages, tools
            case maxTokens = "max_tokens"
        }
    }

    struct Message: Encodable {
        let role: String
        let content: [Block]

        init(_ message: LLMMessage) {
            role = message.role.rawValue
            content = message.content.map(Block.init)
        }
    }

    struct Block: Encodable {
        let block: LLMContentBlock

        init(_ block: LLMContentBlock) {
            self.block = block
        }

        enum CodingKeys: String, CodingKey {
            case type, text, id, name, input, content
            case toolUseID = "tool_use_id"
            case isError = "is_error"
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            switch block {
            case .text(let text):
                try container.encode("text", forKey: .type)
                try container.encode(text, forKey: .text)
            case .toolUse(let use):
                try container.encode("tool_use", forKey: .type)
                try container.encode(use.id, forKey: .id)
                try container.encode(use.name, forKey: .name)
                try container.encode(use.input, forKey: .input)
            case .toolResult(let toolUseID, let content, let isError):
                try container.encode("tool_result", forKey: .type)
                try container.encode(toolUseID, forKey: .toolUseID)
                try container.encode(content, forKey: .content)
                if isError { try container.encode(true, forKey: .isError) }
            }
        }
    }

    struct Tool: Encodable {
        let name: String
        let description: String
        let inputSchema: JSONValue

        init(_ definition: LLMToolDefinition) {
            name = definition.name
            description = definition.description
            inputSchema = definition.inputSchema
        }

        enum CodingKeys: String, CodingKey {
            case name, description
            case inputSchema = "input_schema"
        }
    }

    /// A successful response.
    struct Response: Decodable {
        let type: String?
        let content: [ResponseBlock]
        let stopReason: String?

        enum CodingKeys: String, CodingKey {
            case type, content
            case stopReason = "stop_reason"
        }
    }

    struct ResponseBlock: Decodable {
        let type: String
        let text: String?
        let id: String?
        let name: String?
        let input: JSONValue?
    }

    /// An error response: `{"type": "error", "error": {"type": "overloaded_error", "message": "…"}}`.
    struct ErrorResponse: Decodable {
        struct Detail: Decodable {
            let type: String
        }

        let error: Detail
    }
}
