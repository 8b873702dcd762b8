"""Retrieval and thermal-physics tools (run as scripts from the repository root)."""
import os.path as osp

#: Folder of the physics documents the diagnostic tools write.
PHYSICS_DOCS = osp.join(osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__)))),
                        'docs', 'physics')


def publish(lines, path: str) -> str:
    """Write markdown ``lines`` (joined by newlines) to ``path``, print them and where they
    went; return the text."""
    text = '\n'.join(lines)
    with open(path, 'w') as f:
        f.write(text)
    print(text)
    print(f'wrote {path}')
    return text
