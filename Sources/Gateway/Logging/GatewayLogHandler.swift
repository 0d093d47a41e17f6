import Foundation
import Logging
import Synchronization

/// Where log lines go. Standard output in production; tests capture lines to inspect them.
package protocol LogSink: Sendable {
    /// Writes one complete line (without its newline).
    func write(line: String)
}

/// Writes log lines to standard output, one `write` per line so concurrent lines never interleave.
package struct StandardOutputLogSink: LogSink {
    package init() {}
    package func write(line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        bytes.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Foundation.write(STDOUT_FILENO, buffer.baseAddress! + offset, buffer.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}

/// Keeps log lines in memory (tests).
package final class MemoryLogSink: LogSink {
    private let lines = Mutex<[String]>([])
    package init() {}
    package func write(line: String) { lines.withLock { $0.append(line) } }
    package var captured: [String] { lines.withLock { $0 } }
}

/// A swift-log handler that writes JSON objects or aligned text lines, with the request id and every other
/// metadata value as fields.
package struct GatewayLogHandler: LogHandler {
    package var logLevel: Logger.Level
    package var metadata: Logger.Metadata = [:]
    package var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let format: GatewayConfiguration.LogFormat
    private let sink: any LogSink

    package init(label: String, level: Logger.Level, format: GatewayConfiguration.LogFormat, sink: any LogSink) {
        self.label = label
        self.logLevel = level
        self.format = format
        self.sink = sink
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        // Hummingbird names its request id hb.request.id; we call it request_id everywhere.
        if let id = merged.removeValue(forKey: "hb.request.id"), merged["request_id"] == nil {
            merged["request_id"] = id
        }
        let timestamp = Self.timestamp()
        switch format {
        case .json:
            var object: [String: String] = [:]
            var numbers: Set<String> = []
            for (key, value) in merged {
                object[key] = "\(value)"
                // Numbers logged as numbers (`.stringConvertible(42)`) stay JSON numbers, for log-based metrics.
                if case .stringConvertible(let number) = value, number is any BinaryInteger
                    || (number as? Double)?.isFinite == true
                {
                    numbers.insert(key)
                }
            }
            object["ts"] = timestamp
            object["level"] = event.level.rawValue
            object["logger"] = label
            object["msg"] = "\(event.message)"
            sink.write(line: Self.json(object, numbers: numbers))
        case .text:
            let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
            sink.write(
                line: "\(timestamp) \(event.level.rawValue.uppercased()) \(label): \(event.message)"
                    + (fields.isEmpty ? "" : " \(fields)"))
        }
    }

    private static func timestamp() -> String {
        var time = timespec()
        clock_gettime(CLOCK_REALTIME, &time)
        var seconds = time_t(time.tv_sec)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(
            format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
            parts.tm_hour, parts.tm_min, parts.tm_sec, Int(time.tv_nsec / 1_000_000))
    }

    /// A flat JSON object with keys in a stable order (ts, level, logger, msg first).
    private static func json(_ object: [String: String], numbers: Set<String>) -> String {
        let first = ["ts", "level", "logger", "msg"]
        let rest = object.keys.filter { !first.contains($0) }.sorted()
        let fields = (first + rest).compactMap { key in
            object[key].map { numbers.contains(key) ? "\"\(escape(key))\":\($0)" : "\"\(escape(key))\":\"\(escape($0))\"" }
        }
        return "{" + fields.joined(separator: ",") + "}"
    }

    private static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20: out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}

extension Logger {
    /// The gateway's logger with the configured level and format.
    package static func gateway(
        label: String = "gateway", configuration: GatewayConfiguration, sink: any LogSink = StandardOutputLogSink()
    ) -> Logger {
        Logger(label: label) { label in
            GatewayLogHandler(label: label, level: configuration.logLevel, format: configuration.logFormat, sink: sink)
        }
    }
}
