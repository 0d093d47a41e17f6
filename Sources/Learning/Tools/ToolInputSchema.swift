/// A JSON Schema (`type: object`) describing a tool's input, in the shape LLM tool-use APIs accept.
package struct ToolInputSchema: Sendable, Hashable, Codable {
    /// One input field.
    package struct Property: Sendable, Hashable, Codable {
        package var type: String
        package var description: String
        package var `enum`: [String]?
        package var minimum: Double?
        package var maximum: Double?

        package init(
            type: String, description: String, enum values: [String]? = nil, minimum: Double? = nil,
            maximum: Double? = nil
        ) {
            self.type = type
            self.description = description
            self.enum = values
            self.minimum = minimum
            self.maximum = maximum
        }

        package static func string(_ description: String, oneOf values: [String]? = nil) -> Property {
            Property(type: "string", description: description, enum: values)
        }

        package static func number(_ description: String, minimum: Double? = nil, maximum: Double? = nil) -> Property {
            Property(type: "number", description: description, minimum: minimum, maximum: maximum)
        }

        package static func integer(_ description: String, minimum: Double? = nil) -> Property {
            Property(type: "integer", description: description, minimum: minimum)
        }

        package static func object(_ description: String) -> Property {
            Property(type: "object", description: description)
        }
    }

    package var type: String
    package var properties: [String: Property]
    package var required: [String]

    package init(properties: [String: Property], required: [String]) {
        self.type = "object"
        self.properties = properties
        self.required = required
    }
}
