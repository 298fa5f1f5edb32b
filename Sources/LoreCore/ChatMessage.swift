/// Who said a message in a conversation with a model.
public enum ChatRole: String, Sendable, Equatable, Codable, CaseIterable {
    case system
    case user
    case assistant
}

/// One message of the conversation sent to a model.
public struct ChatMessage: Sendable, Equatable, Codable {
    public var role: ChatRole
    public var content: String

    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }

    public static func system(_ content: String) -> ChatMessage { ChatMessage(role: .system, content: content) }
    public static func user(_ content: String) -> ChatMessage { ChatMessage(role: .user, content: content) }
    public static func assistant(_ content: String) -> ChatMessage { ChatMessage(role: .assistant, content: content) }
}

/// What a chat provider is asked to answer. Sampling values left nil fall back to the model settings, and
/// from there to the server's own defaults.
public struct ChatRequest: Sendable, Equatable {
    public var messages: [ChatMessage]
    public var temperature: Double?
    public var maxTokens: Int?
    /// Ask the server to reply with one JSON object of exactly these string fields (OpenAI `response_format`
    /// with a JSON schema, Ollama `format`; llama.cpp then constrains generation to it). Providers without
    /// such a switch ignore it.
    public var jsonFields: [String]?

    public init(messages: [ChatMessage], temperature: Double? = nil, maxTokens: Int? = nil, jsonFields: [String]? = nil) {
        self.messages = messages
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.jsonFields = jsonFields
    }
}
