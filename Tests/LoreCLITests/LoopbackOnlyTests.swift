import Foundation
import LoreTestSupport
import Testing

/// Tests, benchmarks and scripts may talk to loopback only. This guard reads every file under Tests/,
/// bench/ and scripts/ and fails on an address literal outside 127.0.0.0/8 and ::1: documentation ranges
/// included, and the any-address, which listens on every interface.
@Suite struct LoopbackOnlyTests {
    static let folders = ["Tests", "bench", "scripts"]

    @Test func noTestBenchmarkOrScriptNamesANonLoopbackAddress() throws {
        var offences: [String] = []
        var files = 0
        for folder in Self.folders {
            let root = packageRoot + "/" + folder
            guard let walk = FileManager.default.enumerator(atPath: root) else { continue }
            for case let relative as String in walk {
                let path = root + "/" + relative
                guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
                files += 1
                for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                    for address in Self.nonLoopbackAddresses(in: String(line)) {
                        offences.append("\(folder)/\(relative):\(number + 1): \(address)")
                    }
                }
            }
        }
        #expect(files > 20, "the guard read only \(files) files; is packageRoot right? \(packageRoot)")
        #expect(offences.isEmpty, "non-loopback addresses:\n\(offences.joined(separator: "\n"))")
    }

    @Test func theGuardSeesWhatItLooksFor() {
        // The examples are put together here so that this file itself holds no such literal.
        let documentation = ["192", "0", "2", "1"].joined(separator: ".")
        let anywhere = ["0", "0", "0", "0"].joined(separator: ".")
        let privateRange = ["10", "1", "2", "3"].joined(separator: ".")
        let v6 = ["2001", "db8", "", "1"].joined(separator: ":")
        #expect(Self.nonLoopbackAddresses(in: "baseURL: \"http://\(documentation):8080/v1\"") == [documentation])
        #expect(Self.nonLoopbackAddresses(in: "bind \(anywhere) and \(privateRange)") == [anywhere, privateRange])
        #expect(Self.nonLoopbackAddresses(in: "http://[\(v6)]:80/") == [v6])
        #expect(Self.nonLoopbackAddresses(in: "http://127.0.0.1:8080 and 127.1.2.3 and http://[::1]:9/").isEmpty)
        // Version numbers, times and slices are not addresses.
        #expect(Self.nonLoopbackAddresses(in: "swift 6.3.1, at 12:00:01, v1.2.3.4.5, 300.1.1.1, xs[1:], xs[::2]").isEmpty)
    }

    static let v4 = try! NSRegularExpression(pattern: #"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.]*\d)"#)
    static let v6 = try! NSRegularExpression(pattern: #"(?<=//)\[([0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*)\]"#)

    /// IPv4 literals (four dotted numbers up to 255, not part of a longer dotted run) and IPv6 literals as
    /// URL hosts (`//[…]`), except loopback.
    static func nonLoopbackAddresses(in line: String) -> [String] {
        let whole = NSRange(line.startIndex..., in: line)
        func group(_ match: NSTextCheckingResult, _ n: Int) -> String {
            Range(match.range(at: n), in: line).map { String(line[$0]) } ?? ""
        }
        var found: [String] = []
        for match in v4.matches(in: line, range: whole) {
            let parts = (1...4).compactMap { Int(group(match, $0)) }
            guard parts.count == 4, parts.allSatisfy({ $0 <= 255 }), parts[0] != 127 else { continue }
            found.append(group(match, 0))
        }
        for match in v6.matches(in: line, range: whole) where group(match, 1) != "::1" {
            found.append(group(match, 1))
        }
        return found
    }
}
