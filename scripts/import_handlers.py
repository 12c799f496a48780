"""Run by check_build.py in an isolated interpreter (``python -I -S``): does each handler import as a cold start would?

argv: the shared paths (JSON list: stand-ins, the built layer, the runtime's boto3) and the modules to
load before the forks (JSON list). stdin: one JSON ``[build folder, handler]`` per line. stdout: one
JSON line per handler, its failure or null.

What every function imports from the shared paths is loaded once here; then a child forked per handler
puts the handler's build folder first on the path and imports the handler. A module loaded before the
fork comes from a path every function has on Lambda, so it hides no missing module; a build folder
holding a module of that name would shadow it on Lambda, which is checked too.
"""

import importlib
import importlib.machinery
import json
import os
import sys
import traceback


def failure_of(folder: str, handler: str, preloaded: list[str]) -> str | None:
    sys.path.insert(0, folder)
    shadowed = [name for name in preloaded if importlib.machinery.PathFinder.find_spec(name, [folder])]
    if shadowed:
        return f"its build folder shadows the layer's {shadowed}"
    module_name, attribute = handler.rsplit(".", 1)
    if not callable(getattr(importlib.import_module(module_name), attribute)):
        return f"{handler} is not callable"
    allowed = sys.path[:4]
    files = {name: getattr(module, "__file__", None) or "" for name, module in sys.modules.items()}
    foreign = [
        name
        for name, file in files.items()
        if file
        and file != __file__
        and not any(file.startswith(path) for path in allowed)
        and not file.startswith(sys.base_prefix)
    ]
    return f"imported modules from outside its path: {foreign}" if foreign else None


def main() -> None:
    # The answers keep stdout to themselves: whatever an import prints goes to stderr.
    answers = os.fdopen(os.dup(sys.stdout.fileno()), "w")
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    sys.path[:0] = json.loads(sys.argv[1])
    for name in json.loads(sys.argv[2]):
        importlib.import_module(name)
    preloaded = sorted({name.partition(".")[0] for name in sys.modules if name not in sys.stdlib_module_names})
    for line in sys.stdin:
        folder, handler = json.loads(line)
        answers.flush()
        child = os.fork()
        if child == 0:
            try:
                failure = failure_of(folder, handler, preloaded)
            except BaseException:  # the answer is the import's own error, whatever it is
                failure = f"{handler} does not import: {traceback.format_exc().strip().splitlines()[-1:]}"
            answers.write(json.dumps(failure) + "\n")
            answers.flush()
            os._exit(0)
        os.waitpid(child, 0)


if __name__ == "__main__":
    main()
