// The themes shipped in the repository's themes/ folder, embedded so the binary needs no files beside it.
// ThemeLoadingTests checks that these texts and the files stay identical.
public enum BuiltinThemes {
    public static let names = ["dark", "light", "solarized-dark", "gruvbox", "high-contrast", "mono"]

    public static let sources: [String: String] = [
        "dark": """
        # Lore theme "dark": Lore's default: light text on a deep blue-grey.
        # Each table is a role; fg/bg take "#rrggbb", a palette index 0-255, an ANSI name
        # ("red", "bright-blue") or "default"; bold/italic/underline/dim/reverse take true or false.
        name = "dark"

        [background]
        bg = "#1a1b26"

        [surface]
        bg = "#24283b"

        [panel]
        bg = "#1f2335"

        [foreground]
        fg = "#c0caf5"

        [muted]
        fg = "#6b7394"

        [primary]
        fg = "#7aa2f7"
        bold = true

        [accent]
        fg = "#bb9af7"

        [success]
        fg = "#9ece6a"

        [warning]
        fg = "#e0af68"

        [error]
        fg = "#f7768e"
        bold = true

        [citation]
        fg = "#7dcfff"
        bold = true

        [selection]
        fg = "#ffffff"
        bg = "#33467c"
        """,
        "light": """
        # Lore theme "light": Dark text on paper white.
        # Each table is a role; fg/bg take "#rrggbb", a palette index 0-255, an ANSI name
        # ("red", "bright-blue") or "default"; bold/italic/underline/dim/reverse take true or false.
        name = "light"

        [background]
        bg = "#fafafa"

        [surface]
        bg = "#eceff4"

        [panel]
        bg = "#f2f2f5"

        [foreground]
        fg = "#24292f"

        [muted]
        fg = "#6e7781"

        [primary]
        fg = "#0550ae"
        bold = true

        [accent]
        fg = "#8250df"

        [success]
        fg = "#116329"

        [warning]
        fg = "#953800"

        [error]
        fg = "#cf222e"
        bold = true

        [citation]
        fg = "#0969da"
        bold = true

        [selection]
        fg = "#24292f"
        bg = "#c8ddf8"
        """,
        "solarized-dark": """
        # Lore theme "solarized-dark": Ethan Schoonover's Solarized, dark variant.
        # Each table is a role; fg/bg take "#rrggbb", a palette index 0-255, an ANSI name
        # ("red", "bright-blue") or "default"; bold/italic/underline/dim/reverse take true or false.
        name = "solarized-dark"

        [background]
        bg = "#002b36"

        [surface]
        bg = "#073642"

        [panel]
        bg = "#04313c"

        [foreground]
        fg = "#93a1a1"

        [muted]
        fg = "#586e75"

        [primary]
        fg = "#268bd2"
        bold = true

        [accent]
        fg = "#6c71c4"

        [success]
        fg = "#859900"

        [warning]
        fg = "#b58900"

        [error]
        fg = "#dc322f"
        bold = true

        [citation]
        fg = "#2aa198"
        bold = true

        [selection]
        fg = "#fdf6e3"
        bg = "#355461"
        """,
        "gruvbox": """
        # Lore theme "gruvbox": Warm retro colours after gruvbox dark.
        # Each table is a role; fg/bg take "#rrggbb", a palette index 0-255, an ANSI name
        # ("red", "bright-blue") or "default"; bold/italic/underline/dim/reverse take true or false.
        name = "gruvbox"

        [background]
        bg = "#282828"

        [surface]
        bg = "#3c3836"

        [panel]
        bg = "#32302f"

        [foreground]
        fg = "#ebdbb2"

        [muted]
        fg = "#928374"

        [primary]
        fg = "#fabd2f"
        bold = true

        [accent]
        fg = "#d3869b"

        [success]
        fg = "#b8bb26"

        [warning]
        fg = "#fe8019"

        [error]
        fg = "#fb4934"
        bold = true

        [citation]
        fg = "#83a598"
        bold = true

        [selection]
        fg = "#fbf1c7"
        bg = "#504945"
        """,
        "high-contrast": """
        # Lore theme "high-contrast": Maximum contrast: pure black, white and saturated ANSI colours.
        # Each table is a role; fg/bg take "#rrggbb", a palette index 0-255, an ANSI name
        # ("red", "bright-blue") or "default"; bold/italic/underline/dim/reverse take true or false.
        name = "high-contrast"

        [background]
        bg = "black"

        [surface]
        bg = "#1c1c1c"

        [panel]
        bg = "black"

        [foreground]
        fg = "bright-white"

        [muted]
        fg = "white"

        [primary]
        fg = "bright-yellow"
        bold = true

        [accent]
        fg = "bright-cyan"
        bold = true

        [success]
        fg = "bright-green"

        [warning]
        fg = "bright-yellow"

        [error]
        fg = "bright-red"
        bold = true
        underline = true

        [citation]
        fg = "bright-cyan"
        bold = true
        underline = true

        [selection]
        fg = "black"
        bg = "bright-yellow"
        """,
        "mono": """
        # Lore theme "mono": No colours: the terminal's own foreground and background, roles told apart by attributes.
        # Each table is a role; fg/bg take "#rrggbb", a palette index 0-255, an ANSI name
        # ("red", "bright-blue") or "default"; bold/italic/underline/dim/reverse take true or false.
        name = "mono"

        [background]
        bg = "default"

        [surface]
        bg = "default"

        [panel]
        bg = "default"

        [foreground]
        fg = "default"

        [muted]
        fg = "default"

        [primary]
        fg = "default"
        bold = true

        [accent]
        fg = "default"
        bold = true

        [success]
        fg = "default"

        [warning]
        fg = "default"
        bold = true

        [error]
        fg = "default"
        bold = true
        underline = true

        [citation]
        fg = "default"
        underline = true

        [selection]
        fg = "default"
        bg = "default"
        reverse = true
        """,
    ]
}
