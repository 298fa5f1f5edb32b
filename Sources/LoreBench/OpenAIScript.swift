import Foundation
import LoreLLM

/// The one builder of OpenAI-style answer streams for the loopback server: the tests of every layer and
/// `lore bench stream` script a model with it, so that a change of shape is made in one place.
public enum OpenAIScript {
    /// How a scripted answer ends.
    public enum Ending: Sendable {
        /// `finish_reason: "stop"`, a usage chunk, and `[DONE]`.
        case done
        /// Nothing more, the connection held open until the client leaves or the server stops.
        case stall
        /// The connection closed after the last piece, with no end marker: a server that died.
        case cut
    }

    /// The model name every scripted chunk and the model list carry.
    public static let model = "loopback-model"

    /// One `chat.completion.chunk` carrying `content`, with the fields llama.cpp sends beside it.
    public static func chunk(_ content: String) -> Data {
        event(#"{"choices":[{"finish_reason":null,"index":0,"delta":{"content":\#(jsonString(content))}}],"#
            + #""created":1795609204,"id":"chatcmpl-loopback","model":"\#(model)","object":"chat.completion.chunk"}"#)
    }

    /// The closing events of a complete answer: its finish reason, its usage and `[DONE]`.
    public static func finish(completionTokens: Int, reason: String = "stop") -> Data {
        event(#"{"choices":[{"finish_reason":"\#(reason)","index":0,"delta":{}}],"object":"chat.completion.chunk"}"#)
            + event(#"{"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":\#(completionTokens),"#
                + #""total_tokens":\#(completionTokens + 10)}}"#)
            + Data("data: [DONE]\n\n".utf8)
    }

    /// `data: JSON` and the blank line that ends an event.
    public static func event(_ json: String) -> Data { Data("data: \(json)\n\n".utf8) }

    /// An answer sent as `pieces`, one write each. With a `gate`, each piece waits for the test to open it
    /// once, and so does the ending; without one they go as fast as the socket takes them.
    public static func response(_ pieces: [String], gate: StepGate? = nil, ending: Ending = .done)
        -> LoopbackServer.Response {
        var steps: [LoopbackServer.Response.Step] = []
        for piece in pieces {
            if let gate { steps.append(.wait(gate)) }
            steps.append(.send(chunk(piece)))
        }
        if let gate, ending != .stall { steps.append(.wait(gate)) }
        switch ending {
        case .done: steps.append(.send(finish(completionTokens: pieces.count)))
        case .stall: steps.append(.stall)
        case .cut: steps.append(.close)
        }
        return .eventStream(steps: steps)
    }

    /// `GET /v1/models` with the one scripted model.
    public static var modelList: LoopbackServer.Response {
        .json(status: 200, #"{"object":"list","data":[{"id":"\#(model)","object":"model"}]}"#)
    }

    /// A server that lists the scripted model and answers every chat request with `answer`.
    public static func server(_ answer: @escaping @Sendable () -> LoopbackServer.Response) throws -> LoopbackServer {
        try LoopbackServer { request, _ in request.method == "GET" ? modelList : answer() }
    }

    static func jsonString(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}":
                out += String(format: "\\u%04x", scalar.value)
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension LoopbackServer.Response {
    /// A 200 event stream written as the given pieces, each its own write.
    public static func eventStream(_ pieces: [Data], framing: Framing = .chunked,
                                   contentType: String = "text/event-stream", then last: Step? = nil) -> Self {
        var steps = pieces.map { Step.send($0) }
        if let last { steps.append(last) }
        return eventStream(steps: steps, framing: framing, contentType: contentType)
    }

    /// A 200 event stream made of `steps`.
    public static func eventStream(steps: [Step], framing: Framing = .chunked,
                                   contentType: String = "text/event-stream") -> Self {
        Self(headers: [HTTPHeader("Content-Type", contentType)], framing: framing, steps: steps)
    }

    /// A whole JSON body.
    public static func json(status: Int, _ body: String, headers: [HTTPHeader] = []) -> Self {
        Self(status: status, contentType: "application/json", body: Data(body.utf8), headers: headers)
    }
}
