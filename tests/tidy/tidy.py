#!/usr/bin/env python3
"""tidy.py: the repository's structural rules, checked on every ctest run.

Rules (each finding prints as "path:line: rule: what"):
  1. pure-core   No clock, I/O, thread or random source in core/: none of the
                 headers in BANNED_CORE_HEADERS, none of the names in
                 BANNED_CORE_NAMES. core/ takes `now` and randomness as inputs.
                 The one exception is core/assert.cpp, which writes a failed
                 assertion to stderr as the process dies (CORE_ALLOWED lists
                 exactly what it may use).
  2. layering    prod/ and cabinet/ include nothing from sim/ ("sim/...");
                 cabinet/ includes nothing from prod/ either.
  3. short-functions
                 No function longer than FUNCTION_LINES_MAX lines in core/,
                 cabinet/, sim/ and prod/ (TigerBeetle's limit, STYLE.md).

How rule 3 counts: comments, string and character literals (raw strings and
digit separators included) and preprocessor lines are blanked first. Then the
braces are matched. A '{' outside any function body opens a function body when
the text before it (back to the last ';', '{' or '}') has a ')' followed only by
qualifiers (const, noexcept, override, final, mutable, &, &&, -> TYPE), or is a
constructor's member-initializer list; namespace, class, struct, union and enum
bodies are scopes to look inside; anything else (an initializer such as
`= {...}` or `x{...}`) is data and skipped. A function's length is the number
of lines from the first line of its declaration (template line included) to
its closing brace, both included, blank and comment lines too. Lambdas count
toward the function they are written in; one at namespace scope
(`const auto f = [] {...};`) is an initializer, and not counted.

Usage:
  tidy.py ROOT          check the tree at ROOT; exit 1 and print the findings
                        if there are any, else exit 0.
  tidy.py --self-test   run the checker on tests/tidy/fixtures and check that
                        it finds exactly the planted violations (exit 1 if not).
"""

import os
import re
import sys

FUNCTION_LINES_MAX = 70

SOURCE_SUFFIXES = (".cpp", ".hpp", ".h", ".cc")
LENGTH_DIRS = ("core", "cabinet", "sim", "prod")

# Files that fail rule 3 today and are exempt while they are rewritten, each
# with the reason. Empty is the goal.
LENGTH_ALLOWED = {
}

BANNED_CORE_HEADERS = {
    "chrono": "a clock",
    "ctime": "a clock",
    "time.h": "a clock",
    "sys/time.h": "a clock",
    "thread": "threads",
    "future": "threads",
    "mutex": "threads",
    "condition_variable": "threads",
    "pthread.h": "threads",
    "random": "a random source",
    "fstream": "file I/O",
    "iostream": "console I/O",
    "cstdio": "C I/O",
    "stdio.h": "C I/O",
    "filesystem": "the file system",
    "unistd.h": "system calls",
    "fcntl.h": "file I/O",
    "sys/socket.h": "sockets",
    "netinet/in.h": "sockets",
    "arpa/inet.h": "sockets",
    "netdb.h": "sockets",
}

BANNED_CORE_NAMES = [
    (r"\bsystem_clock\b", "a clock"),
    (r"\bsteady_clock\b", "a clock"),
    (r"\bhigh_resolution_clock\b", "a clock"),
    (r"\bclock_gettime\b", "a clock"),
    (r"\bgettimeofday\b", "a clock"),
    (r"\bstd::time\s*\(", "a clock"),
    (r"\brandom_device\b", "a random source"),
    (r"(?<![\w.:>])s?rand\s*\(", "a random source"),
    (r"\bgetrandom\b", "a random source"),
    (r"\bstd::(thread|jthread|async)\b", "threads"),
    (r"\bpthread_\w+", "threads"),
    (r"\b(f|v|vf)?printf\s*\(", "console I/O"),
    (r"\b(puts|fputs|fwrite|fflush)\s*\(", "console I/O"),
    (r"\bstd::(cout|cerr|clog)\b", "console I/O"),
    (r"\bstderr\b|\bstdout\b", "console I/O"),
    (r"\bfopen\s*\(", "file I/O"),
    (r"\bstd::filesystem\b", "the file system"),
    (r"(?<![\w.:>])(socket|setsockopt|getaddrinfo)\s*\(", "sockets"),
    (r"\basio::", "sockets"),
    (r"\bgetenv\s*\(", "the environment"),
]

# What each exempt core/ file may use, and why.
CORE_ALLOWED = {
    # A failed assertion is reported as the process aborts: the one write in core/.
    "core/assert.cpp": {"cstdio", r"\b(f|v|vf)?printf\s*\(", r"\b(puts|fputs|fwrite|fflush)\s*\(",
                        r"\bstderr\b|\bstdout\b"},
}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def blank_code(text):
    """Returns `text` with comments, string and character literals and
    preprocessor lines replaced by spaces; newlines are kept, so line numbers
    stay the same."""
    out = []
    i = 0
    n = len(text)
    line_start = True
    while i < n:
        c = text[i]
        if line_start and c in " \t":
            out.append(c)
            i += 1
            continue
        if line_start and c == "#":
            # A directive, with its continuation lines.
            while i < n and text[i] != "\n":
                if text[i] == "\\" and i + 1 < n and text[i + 1] == "\n":
                    out.append(" \n")
                    i += 2
                    continue
                out.append(" ")
                i += 1
            continue
        line_start = False
        if c == "\n":
            out.append(c)
            line_start = True
            i += 1
        elif text.startswith("//", i):
            while i < n and text[i] != "\n":
                out.append(" ")
                i += 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            end = n if end < 0 else end + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == "R" and i + 1 < n and text[i + 1] == '"' and not _ident_before(text, i):
            open_paren = text.find("(", i + 2)
            delimiter = text[i + 2:open_paren]
            end = text.find(")" + delimiter + '"', open_paren)
            end = n if end < 0 else end + len(delimiter) + 2
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == '"':
            end = _literal_end(text, i, '"')
            out.append(" " * (end - i))
            i = end
        elif c == "'" and not _in_number(text, i):
            end = _literal_end(text, i, "'")
            out.append(" " * (end - i))
            i = end
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _ident_before(text, i):
    return i > 0 and (text[i - 1].isalnum() or text[i - 1] == "_")


def _in_number(text, i):
    """True iff the quote at `i` is a digit separator (30'000, 0xff'ff)."""
    j = i
    while j > 0 and (text[j - 1].isalnum() or text[j - 1] in "_'."):
        j -= 1
    return j < i and text[j].isdigit()


def _literal_end(text, i, quote):
    j = i + 1
    while j < len(text) and text[j] != quote and text[j] != "\n":
        j += 2 if text[j] == "\\" else 1
    return min(j + 1, len(text))


SCOPE_KEYWORDS = re.compile(r"\b(namespace|class|struct|union|enum|extern)\b")
QUALIFIERS = re.compile(r"^(\s|const\b|volatile\b|noexcept\b|override\b|final\b|mutable\b|&)*(->.*)?$", re.S)


def _split_head(head):
    """(index of the last top-level ')' in `head` or -1, the text after it)."""
    depth = 0
    last_close = -1
    for index, c in enumerate(head):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
            if depth == 0 and c == ")":
                last_close = index
    return last_close, head[last_close + 1:] if last_close >= 0 else head


def _init_list(head):
    """True iff `head` is a constructor declarator followed by ' : ' (a
    member-initializer list)."""
    depth = 0
    for index, c in enumerate(head):
        if c in "([":
            depth += 1
        elif c in ")]":
            depth -= 1
        elif c == ":" and depth == 0:
            before = head[index - 1] if index > 0 else ""
            after = head[index + 1] if index + 1 < len(head) else ""
            if before != ":" and after != ":" and ")" in head[:index]:
                return True
    return False


def classify(head):
    """'function', 'scope' or 'data' for a '{' preceded by `head`."""
    stripped = head.strip()
    paren = stripped.find("(")
    keyword = SCOPE_KEYWORDS.search(stripped if paren < 0 else stripped[:paren])
    if keyword and not re.search(r"\)\s*$", stripped):
        return "scope"
    if _init_list(stripped):
        # The body's brace follows a ')' or '}' of the last initializer; a
        # brace right after a member name is that member's initializer.
        return "function" if stripped.endswith((")", "}")) else "data"
    last_close, rest = _split_head(stripped)
    if last_close < 0 or not QUALIFIERS.match(rest):
        return "data"
    # `[captures](parameters) {` is a lambda: at namespace scope, an initializer.
    if stripped[:_opening(stripped, last_close)].rstrip().endswith("]"):
        return "data"
    return "function"


def _opening(head, close):
    """The index of the '(' matching the ')' at `close`."""
    depth = 0
    for index in range(close, -1, -1):
        if head[index] == ")":
            depth += 1
        elif head[index] == "(":
            depth -= 1
            if depth == 0:
                return index
    return 0


def _paren_depth(text):
    return text.count("(") - text.count(")")


def functions(code):
    """Yields (first_line, last_line) of every function body in blanked `code`
    (1-based lines), outermost functions only."""
    head_start = 0  # Index where the current declaration's text begins.
    stack = []      # Per open brace: 'scope', 'function', 'data', or 'inner' (inside the last two).
    function_start_line = 0
    i = 0
    n = len(code)
    line_of = _line_index(code)
    while i < n:
        c = code[i]
        in_function = "function" in stack or "data" in stack
        if c == "{":
            if in_function:
                stack.append("inner")
            else:
                head = code[head_start:i]
                if _paren_depth(head) > 0:
                    # A braced default argument: part of the declaration.
                    i = _matching(code, i) + 1
                    continue
                kind = classify(head)
                if kind == "data" and _init_list(head.strip()):
                    # A member initializer: skip its braces, keep the head.
                    i = _matching(code, i) + 1
                    continue
                stack.append(kind)
                if kind == "function":
                    first = _first_code_index(code, head_start, i)
                    function_start_line = line_of(first)
                head_start = i + 1
        elif c == "}":
            kind = stack.pop() if stack else "scope"
            if kind == "function":
                yield function_start_line, line_of(i)
            if kind in ("function", "scope", "data") and ("function" not in stack and "data" not in stack):
                head_start = i + 1
        elif c == ";" and not in_function:
            head_start = i + 1
        i += 1


def _matching(code, i):
    depth = 0
    for j in range(i, len(code)):
        if code[j] == "{":
            depth += 1
        elif code[j] == "}":
            depth -= 1
            if depth == 0:
                return j
    return len(code) - 1


def _first_code_index(code, start, end):
    j = start
    while j < end and code[j].isspace():
        j += 1
    # Access specifiers belong to the class, not to the function after them.
    match = re.match(r"(public|private|protected)\s*:(?!:)\s*", code[j:end])
    if match:
        j += match.end()
    return j


def _line_index(code):
    starts = [0]
    for index, c in enumerate(code):
        if c == "\n":
            starts.append(index + 1)

    def line_of(index):
        low, high = 0, len(starts) - 1
        while low < high:
            middle = (low + high + 1) // 2
            if starts[middle] <= index:
                low = middle
            else:
                high = middle - 1
        return low + 1

    return line_of


def source_files(root, directory):
    base = os.path.join(root, directory)
    for folder, subfolders, files in os.walk(base):
        subfolders.sort()
        for name in sorted(files):
            if name.endswith(SOURCE_SUFFIXES):
                path = os.path.join(folder, name)
                yield path, os.path.relpath(path, root).replace(os.sep, "/")


def check_core(root):
    findings = []
    for path, relative in source_files(root, "core"):
        with open(path, encoding="utf-8") as file:
            text = file.read()
        allowed = CORE_ALLOWED.get(relative, set())
        for number, raw in enumerate(text.splitlines(), 1):
            include = INCLUDE.match(raw)
            if include and include.group(2) in BANNED_CORE_HEADERS and include.group(2) not in allowed:
                findings.append(f"{relative}:{number}: pure-core: #include <{include.group(2)}> "
                                f"({BANNED_CORE_HEADERS[include.group(2)]})")
        code = blank_code(text)
        for number, line in enumerate(code.splitlines(), 1):
            for pattern, what in BANNED_CORE_NAMES:
                if pattern in allowed:
                    continue
                match = re.search(pattern, line)
                if match:
                    findings.append(f"{relative}:{number}: pure-core: '{match.group(0).strip()}' ({what})")
    return findings


def check_layering(root):
    findings = []
    forbidden = {"prod": ("sim/",), "cabinet": ("sim/", "prod/")}
    for directory, prefixes in forbidden.items():
        for path, relative in source_files(root, directory):
            with open(path, encoding="utf-8") as file:
                for number, raw in enumerate(file, 1):
                    include = INCLUDE.match(raw)
                    if include and include.group(1) == '"' and include.group(2).startswith(prefixes):
                        findings.append(f'{relative}:{number}: layering: {directory}/ includes "{include.group(2)}"')
    return findings


def check_lengths(root):
    findings = []
    for directory in LENGTH_DIRS:
        for path, relative in source_files(root, directory):
            if relative in LENGTH_ALLOWED:
                continue
            with open(path, encoding="utf-8") as file:
                code = blank_code(file.read())
            for first, last in functions(code):
                length = last - first + 1
                if length > FUNCTION_LINES_MAX:
                    findings.append(f"{relative}:{first}: short-functions: a function of {length} lines "
                                    f"(at most {FUNCTION_LINES_MAX})")
    return findings


def check(root):
    return check_core(root) + check_layering(root) + check_lengths(root)


# The violations planted in tests/tidy/fixtures, exactly as check() reports them.
# The fixtures also hold what must pass: core/assert.cpp's allowed stderr write,
# names in comments and strings, a cabinet/ file including core/, and a 70-line
# function beside the long ones.
FIXTURE_FINDINGS = [
    "core/clock.cpp:3: pure-core: #include <chrono> (a clock)",
    "core/clock.cpp:4: pure-core: #include <random> (a random source)",
    "core/clock.cpp:8: pure-core: 'steady_clock' (a clock)",
    "core/clock.cpp:12: pure-core: 'random_device' (a random source)",
    "core/clock.cpp:16: pure-core: 'printf(' (console I/O)",
    "core/clock.cpp:16: pure-core: 'fflush(' (console I/O)",
    "core/clock.cpp:16: pure-core: 'stdout' (console I/O)",
    "prod/uses_sim.cpp:2: layering: prod/ includes \"sim/rng.hpp\"",
    "sim/long.cpp:8: short-functions: a function of 71 lines (at most 70)",
    "sim/long.cpp:88: short-functions: a function of 72 lines (at most 70)",
]


def self_test():
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    found = check(root)
    if found == FIXTURE_FINDINGS:
        print(f"tidy self-test: the {len(found)} planted violations are found, and nothing else")
        return 0
    print("tidy self-test FAILED")
    for line in FIXTURE_FINDINGS:
        if line not in found:
            print(f"  missed:     {line}")
    for line in found:
        if line not in FIXTURE_FINDINGS:
            print(f"  unexpected: {line}")
    return 1


def main(argv):
    if argv[1:] == ["--self-test"]:
        return self_test()
    if len(argv) != 2:
        print(__doc__.split("Usage:")[1], file=sys.stderr)
        return 2
    findings = check(argv[1])
    for finding in findings:
        print(finding)
    if findings:
        print(f"tidy: {len(findings)} finding(s)")
        return 1
    print("tidy: clean")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
