struct Rect: Equatable {
    var row: Int
    var col: Int
    var height: Int
    var width: Int
}

/// Where each part of the screen goes for a model's size and input height.
struct Layout {
    var main: Rect
    var chat: Rect
    var sources: Rect
    var separatorCol: Int
    var statusRow: Int
    var input: Rect

    init(_ model: AppModel) {
        let editorWidth = model.cols - 2
        let inputLines = min(5, max(1, model.input.layout(width: editorWidth).lines.count))
        input = Rect(row: model.rows - inputLines, col: 0, height: inputLines, width: model.cols)
        statusRow = input.row - 1
        main = Rect(row: 0, col: 0, height: statusRow, width: model.cols)
        if model.sideBySide {
            let sourcesWidth = max(36, model.cols * 36 / 100)
            separatorCol = model.cols - sourcesWidth - 1
            chat = Rect(row: 0, col: 0, height: main.height, width: separatorCol)
            sources = Rect(row: 0, col: separatorCol + 1, height: main.height, width: sourcesWidth)
        } else {
            separatorCol = model.cols
            chat = main
            let width = min(model.cols, max(36, model.cols * 3 / 4))
            sources = Rect(row: 0, col: model.cols - width, height: main.height, width: width)
        }
    }
}
