import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Errors that reach HTTP clients: a status and a short JSON body, never internal detail.
package struct GatewayHTTPError: HTTPResponseError, CustomStringConvertible {
    package let status: HTTPResponse.Status
    /// A stable machine-readable code such as `body_too_large`.
    package let code: String
    /// A sentence for the caller.
    package let message: String

    package init(status: HTTPResponse.Status, code: String, message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    package var description: String { "\(status.code) \(code): \(message)" }

    package static func bodyTooLarge(limit: Int) -> GatewayHTTPError {
        GatewayHTTPError(
            status: .contentTooLarge, code: "body_too_large", message: "The request body is larger than \(limit) bytes."
        )
    }

    package func response(from request: Request, context: some RequestContext) throws -> Response {
        let body = JSONBody.encode(["error": code, "message": message])
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(body.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}

/// Small JSON helpers for responses.
package enum JSONBody {
    package static func encode(_ value: some Encodable) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array((try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    package static func response(
        _ value: some Encodable, status: HTTPResponse.Status = .ok, encoder: JSONEncoder? = nil
    ) -> Response {
        let body = encoder.flatMap { try? Array($0.encode(value)) } ?? encode(value)
        return Response(
            status: status,
            headers: [.contentType: "application/json; charset=utf-8", .contentLength: String(body.count)],
            body: .init(byteBuffer: ByteBuffer(bytes: body)))
    }
}
