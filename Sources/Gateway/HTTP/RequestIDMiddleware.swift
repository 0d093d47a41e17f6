import HTTPTypes
import Hummingbird
import Logging

/// Gives every request an id: the caller's `X-Request-Id` when it is a sane token, else Hummingbird's own.
/// The id is in every log line written for the request and is echoed in the response.
package struct RequestIDMiddleware<Context: RequestContext>: RouterMiddleware {
    package static var headerName: HTTPField.Name { HTTPField.Name("X-Request-Id")! }

    package init() {}

    package func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let id: String
        if let supplied = request.headers[Self.headerName], Self.isAcceptable(supplied) {
            id = supplied
        } else {
            id = context.id
        }
        context.logger[metadataKey: "request_id"] = .string(id)
        do {
            var response = try await next(request, context)
            response.headers[Self.headerName] = id
            return response
        } catch let error as any HTTPResponseError {
            var response = try error.response(from: request, context: context)
            response.headers[Self.headerName] = id
            return response
        }
    }

    /// 1–128 characters of letters, digits, `-`, `_`, `.`: nothing that could forge a log field.
    static func isAcceptable(_ id: String) -> Bool {
        (1...128).contains(id.utf8.count)
            && id.utf8.allSatisfy { byte in
                (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) || byte == 45
                    || byte == 95 || byte == 46
            }
    }
}
