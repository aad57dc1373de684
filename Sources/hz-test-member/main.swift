import Foundation
import HazelcastTestMember
import Logging
#if canImport(Glibc)
import Glibc
#endif

// hz-test-member: runs an in-memory Hazelcast test member until SIGTERM or SIGINT.

let usage = """
    usage: hz-test-member [--host HOST] [--port PORT] [--cluster NAME] [--partitions N] [--verbose]
      --host        address to listen on (default 127.0.0.1)
      --port        port to listen on, 0 picks a free one (default 5701)
      --cluster     cluster name clients must present (default dev)
      --partitions  partition count (default 271)
      --verbose     log each connection and request problem to stderr
    """

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("hz-test-member: \(message)\n\(usage)\n".utf8))
    exit(2)
}

var host = "127.0.0.1"
var port = 5701
var cluster = "dev"
var partitions = 271
var verbose = false
var arguments = CommandLine.arguments.dropFirst()
while let argument = arguments.popFirst() {
    func value() -> String {
        guard let next = arguments.popFirst() else { fail("\(argument) needs a value") }
        return next
    }
    switch argument {
    case "--host": host = value()
    case "--port":
        guard let parsed = Int(value()), (0...65535).contains(parsed) else { fail("--port must be 0…65535") }
        port = parsed
    case "--cluster": cluster = value()
    case "--partitions":
        guard let parsed = Int(value()), parsed > 0 else { fail("--partitions must be positive") }
        partitions = parsed
    case "--verbose": verbose = true
    case "-h", "--help":
        print(usage)
        exit(0)
    default: fail("unknown argument \(argument)")
    }
}

let logLevel: Logger.Level = verbose ? .debug : .warning
LoggingSystem.bootstrap { label in
    var handler = StreamLogHandler.standardError(label: label)
    handler.logLevel = logLevel
    return handler
}

// Block SIGTERM and SIGINT before any thread starts (threads inherit the mask), then wait for
// them synchronously below: deterministic, with no window where the default action applies.
var stopSignals = sigset_t()
sigemptyset(&stopSignals)
sigaddset(&stopSignals, SIGTERM)
sigaddset(&stopSignals, SIGINT)
pthread_sigmask(SIG_BLOCK, &stopSignals, nil)

let member = HazelcastTestMember(clusterName: cluster, host: host, port: port, partitionCount: partitions)
let boundPort: Int
do {
    boundPort = try member.start()
} catch {
    FileHandle.standardError.write(Data("hz-test-member: cannot listen on \(host):\(port): \(error)\n".utf8))
    exit(1)
}

// Unbuffered, so a parent process sees the line at once.
FileHandle.standardOutput.write(Data("listening on \(host):\(boundPort)\n".utf8))
var received: Int32 = 0
while sigwait(&stopSignals, &received) != 0 {}
member.stop()
exit(0)
