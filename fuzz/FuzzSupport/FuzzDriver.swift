import Foundation

#if FUZZING
import CLibFuzzer
#endif

/// The `main` of every fuzz target.
///
/// Built with `-sanitize=fuzzer,address -DFUZZING` (what `fuzz/run.sh` does), it hands the target's function to
/// libFuzzer through `LLVMFuzzerRunDriver`, so the usual libFuzzer flags and corpus folders apply. In a normal
/// build it replays every file, and every file under every folder, named on the command line through the same
/// function, so a crashing input from a fuzz run can be reproduced and debugged without the sanitizer build.
///
/// Each target has its own `@main` and also exports its callback as `LLVMFuzzerTestOneInput`. SwiftPM links a debug
/// executable on Linux with `--defsym main=<Target>_main`, so a target without `@main` does not link at all
/// (`undefined symbol '<Target>_main'`); with it, that `main` is the one that runs, but the linker still pulls
/// libFuzzer's `FuzzerMain.o` out of its archive (`main` is undefined when the archive is read), and that object
/// refers to `LLVMFuzzerTestOneInput`.
package enum FuzzDriver {
    /// libFuzzer's callback: one input, answered 0. A broken invariant traps instead of returning.
    package typealias TestOneInput = @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt

    /// Runs libFuzzer (fuzz builds) or replays the inputs named in the arguments (normal builds).
    package static func main(_ testOneInput: TestOneInput) -> Never {
        #if FUZZING
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, testOneInput))
        #else
        exit(replay(arguments: Array(CommandLine.arguments.dropFirst()), testOneInput))
        #endif
    }

    /// The bytes libFuzzer passed (it may pass a null pointer for the empty input).
    package static func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
        guard let data, size > 0 else { return [] }
        return Array(UnsafeBufferPointer(start: data, count: size))
    }

    /// Runs each input file through `testOneInput`; arguments starting with `-` (libFuzzer flags) are ignored so
    /// the same command line works with either build.
    static func replay(arguments: [String], _ testOneInput: TestOneInput) -> Int32 {
        let paths = arguments.filter { !$0.hasPrefix("-") }
        guard !paths.isEmpty else {
            FileHandle.standardError.write(Data("usage: \(CommandLine.arguments[0]) FILE_OR_FOLDER...\n".utf8))
            return 2
        }
        var count = 0
        for path in paths {
            guard let files = inputFiles(at: path) else {
                FileHandle.standardError.write(Data("cannot read \(path)\n".utf8))
                return 1
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
                    return 1
                }
                print("replaying \(file) (\(data.count) bytes)")
                let bytes = [UInt8](data)
                _ = bytes.withUnsafeBufferPointer { testOneInput($0.baseAddress, $0.count) }
                count += 1
            }
        }
        print("replayed \(count) inputs: no invariant failed")
        return 0
    }

    /// `path` itself when it is a file; every regular file below it, sorted, when it is a folder.
    private static func inputFiles(at path: String) -> [String]? {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else { return nil }
        guard isFolder.boolValue else { return [path] }
        guard let enumerator = FileManager.default.enumerator(atPath: path) else { return nil }
        var files: [String] = []
        for case let relative as String in enumerator {
            let file = (path as NSString).appendingPathComponent(relative)
            var isSubfolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: file, isDirectory: &isSubfolder), !isSubfolder.boolValue {
                files.append(file)
            }
        }
        return files.sorted()
    }
}
