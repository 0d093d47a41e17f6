import Synchronization

/// Set from a task's cancellation handler, read by curl's progress callback on the worker thread.
final class CurlCancellation: Sendable {
    private let cancelled = Atomic<Bool>(false)

    func cancel() {
        self.cancelled.store(true, ordering: .relaxed)
    }

    var isCancelled: Bool {
        self.cancelled.load(ordering: .relaxed)
    }
}

/// What curl's callbacks write into during one transfer. It is handed to curl as an opaque pointer
/// (`CURLOPT_WRITEDATA` and friends) and only touched on the thread running `curl_easy_perform`.
final class CurlTransfer {
    private let maxBytes: Int
    let cancellation: CurlCancellation
    private(set) var body: [UInt8] = []
    private(set) var headers: [(name: String, value: String)] = []
    private var headerBytes = 0
    /// The body or headers went past `maxBytes`, so a callback told curl to stop.
    private(set) var exceededLimit = false

    init(maxBytes: Int, cancellation: CurlCancellation) {
        self.maxBytes = maxBytes
        self.cancellation = cancellation
    }

    /// The transfer behind a callback's `userdata` pointer.
    static func from(_ userdata: UnsafeMutableRawPointer?) -> CurlTransfer? {
        userdata.map { Unmanaged<CurlTransfer>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Appends body bytes; returns how many were taken (anything short of `count` makes curl abort).
    func receiveBody(_ data: UnsafeMutablePointer<CChar>?, count: Int) -> Int {
        guard count > 0 else { return 0 }
        guard let data else { return 0 }
        guard self.body.count + count <= self.maxBytes else {
            self.exceededLimit = true
            return 0
        }
        self.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: count))
        return count
    }

    /// Takes one header line as curl delivers it (status line, field line or the blank line that ends them).
    func receiveHeaderLine(_ data: UnsafeMutablePointer<CChar>?, count: Int) -> Int {
        guard let data, count > 0 else { return count }
        self.headerBytes += count
        guard self.headerBytes <= self.maxBytes else {
            self.exceededLimit = true
            return 0
        }
        var line = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
        while let last = line.last, last == "\r" || last == "\n" || last == "\r\n" {
            line.removeLast()
        }
        if line.hasPrefix("HTTP/") {
            // A new status line: an interim (1xx) response's headers do not belong to the final one.
            self.headers.removeAll()
            self.headerBytes = count
        } else if let first = line.first, first == " " || first == "\t" {
            // Obsolete line folding continues the previous field's value.
            if !self.headers.isEmpty {
                let continuation = line.trimmingWhitespace()
                self.headers[self.headers.count - 1].value += " " + continuation
            }
        } else if let colon = line.firstIndex(of: ":") {
            let name = String(line[..<colon])
            let value = line[line.index(after: colon)...].trimmingWhitespace()
            self.headers.append((name: name, value: value))
        }
        return count
    }

    /// Progress callback result: non-zero aborts the transfer.
    func progress() -> Int32 {
        self.cancellation.isCancelled ? 1 : 0
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> String {
        let isWhitespace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = self.firstIndex(where: { !isWhitespace($0) }),
            let end = self.lastIndex(where: { !isWhitespace($0) })
        else { return "" }
        return String(self[start...end])
    }
}
