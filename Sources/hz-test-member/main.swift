import Dispatch
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

let member = HazelcastTestMember(clusterName: cluster, host: host, port: port, partitionCount: partitions)
let boundPort: Int
do {
    boundPort = try member.start()
} catch {
    FileHandle.standardError.write(Data("hz-test-member: cannot listen on \(host):\(port): \(error)\n".utf8))
    exit(1)
}

signal(SIGTERM, SIG_IGN)
signal(SIGINT, SIG_IGN)
let signalSources = [SIGTERM, SIGINT].map { number in
    let source = DispatchSource.makeSignalSource(signal: number, queue: .main)
    source.setEventHandler {
        member.stop()
        exit(0)
    }
    source.resume()
    return source
}

// Unbuffered, so a parent process sees the line at once.
FileHandle.standardOutput.write(Data("listening on \(host):\(boundPort)\n".utf8))
withExtendedLifetime(signalSources) {
    dispatchMain()
}
