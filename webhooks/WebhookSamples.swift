import Foundation

/// Real-shaped samples of every webhook the gateway accepts, bundled as resources so tests and
/// `gateway simulate` read them wherever they run.
package enum WebhookSamples {
    /// The bytes of `webhooks/<provider>/<name>`, e.g. `("slack", "event_message_im.json")`.
    package static func data(provider: String, name: String) throws -> [UInt8] {
        guard let url = Bundle.module.url(forResource: name, withExtension: nil, subdirectory: provider) else {
            throw SampleNotFound(provider: provider, name: name)
        }
        return Array(try Data(contentsOf: url))
    }

    /// The sample as text.
    package static func text(provider: String, name: String) throws -> String {
        String(decoding: try data(provider: provider, name: name), as: UTF8.self)
    }

    package struct SampleNotFound: Error, CustomStringConvertible {
        let provider: String
        let name: String
        package var description: String { "no webhook sample \(provider)/\(name) in the bundle" }
    }
}
