import FuzzSupport
import OBFHTTP

/// Any bytes through the HTTP request parser, delivered in pieces whose sizes the input's
/// first byte chooses (as reads from a socket would split them). Every event must keep the
/// parser's promises: the offset only moves forward, never past the buffer, and bodies
/// respect the limit. A failure must be final; a trap anywhere is a bug.
@_cdecl("LLVMFuzzerTestOneInput")
public func httpParserFuzzInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    guard let data, size > 0 else { return 0 }
    let step = Int(data[0] % 64) + 1
    let bytes = Array(UnsafeBufferPointer(start: data + 1, count: size - 1))
    let limits = HTTPRequestParser.Limits(maxHeaderBytes: 2048, maxHeaderCount: 20, maxBodyBytes: 4096)
    var parser = HTTPRequestParser(limits: limits)
    var buffer: [UInt8] = []
    var start = 0
    var delivered = 0
    while delivered < bytes.count {
        let end = min(bytes.count, delivered + step)
        buffer.append(contentsOf: bytes[delivered..<end])
        delivered = end
        parsing: while true {
            let before = start
            let event = buffer.withUnsafeBufferPointer { parser.parse($0, from: &start) }
            precondition(start >= before && start <= buffer.count, "parser moved its offset backwards or past the data")
            switch event {
            case .needMore:
                break parsing
            case .continueExpected:
                continue
            case .request(let request, _):
                precondition(request.body.count <= limits.maxBodyBytes, "body over the limit")
            case .failure(let failure):
                precondition((400..<600).contains(failure.status), "failure without an error status")
                return 0
            }
        }
    }
    return 0
}

@main
struct HTTPParserFuzzMain {
    static func main() { FuzzEntry.main(httpParserFuzzInput) }
}
