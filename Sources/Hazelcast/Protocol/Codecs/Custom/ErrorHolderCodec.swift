/// One frame of a server-side stack trace.
package struct StackTraceElement: Sendable, Equatable {
    package var className: String
    package var methodName: String
    package var fileName: String?
    package var lineNumber: Int32

    package init(className: String, methodName: String, fileName: String?, lineNumber: Int32) {
        self.className = className
        self.methodName = methodName
        self.fileName = fileName
        self.lineNumber = lineNumber
    }
}

/// One error of an error response: code, Java class name, message and stack trace.
package struct ErrorHolder: Sendable, Equatable {
    package var errorCode: Int32
    package var className: String
    package var message: String?
    package var stackTrace: [StackTraceElement]

    package init(errorCode: Int32, className: String, message: String?, stackTrace: [StackTraceElement] = []) {
        self.errorCode = errorCode
        self.className = className
        self.message = message
        self.stackTrace = stackTrace
    }
}

/// StackTraceElement: fixed line number; class name, method name, nullable file name.
package enum StackTraceElementCodec {
    package static func encode(_ element: StackTraceElement, into message: inout ClientMessage) {
        var fixed = ByteWriter()
        fixed.writeInt32(element.lineNumber)
        CustomStructure.begin(fixed, into: &message)
        StringCodec.encode(element.className, into: &message)
        StringCodec.encode(element.methodName, into: &message)
        NullableCodec.encode(element.fileName, into: &message, StringCodec.encode)
        CustomStructure.end(into: &message)
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> StackTraceElement {
        let fixed = try CustomStructure.open(&iterator, "StackTraceElement")
        let line = try fixed.int32(at: 0)
        let className = try StringCodec.decode(&iterator)
        let methodName = try StringCodec.decode(&iterator)
        let fileName = try NullableCodec.decode(&iterator, StringCodec.decode)
        try CustomStructure.close(&iterator)
        return StackTraceElement(className: className, methodName: methodName, fileName: fileName, lineNumber: line)
    }
}

/// ErrorHolder: fixed error code; class name, nullable message, list of stack trace elements.
package enum ErrorHolderCodec {
    package static func encode(_ holder: ErrorHolder, into message: inout ClientMessage) {
        var fixed = ByteWriter()
        fixed.writeInt32(holder.errorCode)
        CustomStructure.begin(fixed, into: &message)
        StringCodec.encode(holder.className, into: &message)
        NullableCodec.encode(holder.message, into: &message, StringCodec.encode)
        ListCodec.encode(holder.stackTrace, into: &message, StackTraceElementCodec.encode)
        CustomStructure.end(into: &message)
    }

    package static func decode(_ iterator: inout FrameIterator) throws(HazelcastError) -> ErrorHolder {
        let fixed = try CustomStructure.open(&iterator, "ErrorHolder")
        let code = try fixed.int32(at: 0)
        let className = try StringCodec.decode(&iterator)
        let message = try NullableCodec.decode(&iterator, StringCodec.decode)
        let stackTrace = try ListCodec.decode(&iterator, StackTraceElementCodec.decode)
        try CustomStructure.close(&iterator)
        return ErrorHolder(errorCode: code, className: className, message: message, stackTrace: stackTrace)
    }
}
