/// Checks that must hold for every input. A failure traps, which libFuzzer reports as a crash and saves the input.
package enum FuzzInvariant {
    /// Traps with `message` unless `condition` holds.
    package static func require(
        _ condition: Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line
    ) {
        guard !condition else { return }
        fatalError("invariant failed: \(message())", file: file, line: line)
    }

    /// `text` quoted with every non-ASCII or control scalar as `\u{…}`, so a failure message shows what the
    /// input really held.
    package static func quoted(_ text: some StringProtocol) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            if scalar.isASCII, scalar.value >= 0x20, scalar.value < 0x7F, scalar != "\"", scalar != "\\" {
                out.unicodeScalars.append(scalar)
            } else {
                out += "\\u{\(String(scalar.value, radix: 16))}"
            }
        }
        return out + "\""
    }
}
