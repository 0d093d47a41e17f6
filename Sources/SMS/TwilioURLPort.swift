/// Adds or removes the default port of an `http`/`https` URL without otherwise touching its text, so that a
/// signature can be checked against both spellings Twilio has been known to sign.
enum TwilioURLPort {
    /// `url` with `:443`/`:80` added after the host when it has no port, or removed when it has exactly the default
    /// port; nil when it has another port or is not an absolute `http`/`https` URL.
    static func alternative(of url: String) -> String? {
        guard let schemeEnd = url.firstRange(of: "://") else { return nil }
        let defaultPort: String
        switch url[..<schemeEnd.lowerBound].lowercased() {
        case "https": defaultPort = "443"
        case "http": defaultPort = "80"
        default: return nil
        }
        let authorityStart = schemeEnd.upperBound
        let authorityEnd = url[authorityStart...].firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? url.endIndex
        let authority = url[authorityStart..<authorityEnd]
        // User-info may contain ':' (user:password@host); the host starts after the last '@'.
        let hostStart = authority.lastIndex(of: "@").map { authority.index(after: $0) } ?? authority.startIndex
        let hostPort = authority[hostStart...]
        // An IPv6 literal is bracketed and full of ':'; only a ':' after its ']' starts a port.
        let searchFrom = hostPort.lastIndex(of: "]") ?? hostPort.startIndex
        guard !hostPort.isEmpty else { return nil }
        if let colon = hostPort[searchFrom...].lastIndex(of: ":") {
            let port = hostPort[hostPort.index(after: colon)...]
            guard port == defaultPort else { return nil }
            return String(url[..<colon]) + String(url[authorityEnd...])
        }
        return String(url[..<authorityEnd]) + ":" + defaultPort + String(url[authorityEnd...])
    }
}
