#!/usr/bin/python3
"""What a picture schemagen drew shows, for the command-line tests.

pictures.py FORMAT FILE checks that FILE is a well-formed FORMAT and prints what it shows, sorted,
one fact a line:
  node NAME        a table, view or revision (Mermaid: an entity's alias or a node's first line)
  edge FROM TO     a foreign key or a parent -> child edge
  dashed FROM TO   a depends_on edge (history)
  cluster NAME     a schema's cluster (DOT, SVG)
  text NAME WORDS  one line of text in a node's box
  class NAME CLASS a Mermaid class given to a node (head, current)
  png WIDTH HEIGHT the size of a PNG, which shows nothing else a test can read

  dot  Graphviz must parse it: it is laid out as SVG by `dot` and read as SVG.
  svg  XML whose root is <svg>; nodes, edges and clusters are Graphviz's <g class=...> groups.
  png  the PNG signature, then an IHDR chunk whose CRC holds.
  mmd  Mermaid has no parser in Debian: every line must be one of the forms schemagen writes
       (erDiagram or flowchart), and every edge must join declared nodes.
Anything malformed: a message on stderr and exit 1.
"""
import html
import re
import struct
import subprocess
import sys
import zlib
from xml.dom import minidom


def die(message):
    print(f"pictures.py: {message}", file=sys.stderr)
    sys.exit(1)


def strip_port(end):
    """'auth.users:i0:w' or 'auth.users:w' -> 'auth.users': schemagen's ports are iN and oN, with
    a compass point; Graphviz's titles keep the compass point only."""
    return re.sub(r"(:[io]\d+)?(:[nsewc]{1,2})?$", "", end)


def svg_facts(text):
    try:
        doc = minidom.parseString(text)
    except Exception as e:  # any parse error is the finding
        die(f"not XML: {e}")
    if doc.documentElement.tagName != "svg":
        die(f"the root element is <{doc.documentElement.tagName}>, not <svg>")
    facts = []

    def title(g):
        titles = g.getElementsByTagName("title")
        return "".join(n.data for n in titles[0].childNodes) if titles else ""

    for g in doc.getElementsByTagName("g"):
        kind = g.getAttribute("class")
        if kind == "node":
            name = title(g)
            facts.append(f"node {name}")
            for t in g.getElementsByTagName("text"):
                words = "".join(n.data for n in t.childNodes if n.nodeType == n.TEXT_NODE)
                words += "".join(
                    "".join(c.data for c in n.childNodes) for n in t.childNodes
                    if n.nodeType == n.ELEMENT_NODE)
                facts.append(f"text {name} {words.strip()}")
        elif kind == "edge":
            tail, sep, head = title(g).partition("->")
            if not sep:
                die(f"an edge titled {title(g)!r}")
            dashed = any(p.getAttribute("stroke-dasharray")
                         for p in g.getElementsByTagName("path"))
            facts.append(f"{'dashed' if dashed else 'edge'} {strip_port(tail)} {strip_port(head)}")
        elif kind == "cluster":
            facts.append(f"cluster {title(g).removeprefix('cluster_')}")
    return facts


def png_facts(data):
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        die("no PNG signature")
    length, kind = struct.unpack(">I4s", data[8:16])
    if kind != b"IHDR" or length != 13:
        die("the first chunk is not IHDR")
    body = data[12:16 + length]
    (crc,) = struct.unpack(">I", data[16 + length:20 + length])
    if zlib.crc32(body) != crc:
        die("IHDR's CRC does not hold")
    width, height = struct.unpack(">II", data[16:24])
    if not width or not height:
        die(f"an empty image, {width}x{height}")
    return [f"png {width} {height}"]


def unmermaid(text):
    """A Mermaid label's text: its #name; and #n; entities read, its <br/> line breaks kept."""
    text = re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), text)
    return re.sub(r"#(quot|lt|gt|amp);", lambda m: html.unescape(f"&{m.group(1)};"), text)


WORD = r"[*A-Za-z_][A-Za-z0-9\-_\[\]()]*"


def er_facts(lines):
    facts, names, edges = [], {}, []
    entity = None
    for n, line in enumerate(lines[1:], 2):
        if entity is None and (m := re.fullmatch(r'  (\w+)\["([^"]*)"\] \{', line)):
            entity = m.group(1)
            if entity in names:
                die(f"line {n}: entity {entity} declared twice")
            names[entity] = unmermaid(m.group(2))
            facts.append(f"node {names[entity]}")
        elif entity is not None and (m := re.fullmatch(
                rf'    ({WORD}) ({WORD})( (PK|FK|UK)(, (PK|FK|UK))*)?( "[^"]*")?', line)):
            facts.append(f"text {names[entity]} {m.group(2)} {m.group(1)}"
                         + (m.group(3) or "") + (m.group(7) or ""))
        elif entity is not None and line == "  }":
            entity = None
        elif entity is None and (m := re.fullmatch(
                r'  (\w+) (\|o|\|\||\}o|\}\|)(--|\.\.)(o\||\|\||o\{|\|\{) (\w+) : "[^"]*"', line)):
            edges.append((n, m.group(1), m.group(5)))
        else:
            die(f"line {n} is not erDiagram as schemagen writes it: {line!r}")
    if entity is not None:
        die(f"entity {entity} is not closed")
    for n, a, b in edges:
        for end in (a, b):
            if end not in names:
                die(f"line {n}: the relationship names {end}, which is not declared")
        facts.append(f"edge {names[a]} {names[b]}")
    return facts


def flowchart_facts(lines):
    facts, nodes, edges = [], {}, []
    for n, line in enumerate(lines[1:], 2):
        if m := re.fullmatch(r'  (r_\w+)\["([^"]*)"\]', line):
            parts = [re.sub(r"</?i>", "", p) for p in unmermaid(m.group(2)).split("<br/>")]
            nodes[m.group(1)] = parts[0]
            facts.append(f"node {parts[0]}")
            facts += [f"text {parts[0]} {p}" for p in parts[1:]]
        elif m := re.fullmatch(r"  (r_\w+) (-->|-\.->\|depends_on\|) (r_\w+)", line):
            edges.append((n, "edge" if m.group(2) == "-->" else "dashed", m.group(1), m.group(3)))
        elif m := re.fullmatch(r"  classDef (\w+) [\w:#,.-]+", line):
            pass
        elif m := re.fullmatch(r"  class (r_\w+) (\w+)", line):
            edges.append((n, "class", m.group(1), m.group(2)))
        else:
            die(f"line {n} is not a flowchart as schemagen writes it: {line!r}")
    for n, kind, a, b in edges:
        for end in (a, b) if kind != "class" else (a,):
            if end not in nodes:
                die(f"line {n} names {end}, which is not declared")
        facts.append(f"{kind} {nodes[a]} {nodes[b] if kind != 'class' else b}")
    return facts


def main():
    if len(sys.argv) != 3:
        die("usage: pictures.py dot|svg|png|mmd FILE")
    kind, path = sys.argv[1:]
    data = open(path, "rb").read()
    if kind == "png":
        facts = png_facts(data)
    elif kind == "svg":
        facts = svg_facts(data.decode())
    elif kind == "dot":
        laid = subprocess.run(["dot", "-Tsvg", path], capture_output=True)
        if laid.returncode != 0:
            die(f"Graphviz does not parse it: {laid.stderr.decode()}")
        facts = svg_facts(laid.stdout.decode())
    elif kind == "mmd":
        lines = data.decode().splitlines()
        if not lines:
            die("empty")
        if lines[0] == "erDiagram":
            facts = er_facts(lines)
        elif lines[0] == "flowchart BT":
            facts = flowchart_facts(lines)
        else:
            die(f"the first line is {lines[0]!r}, not a diagram type schemagen writes")
    else:
        die(f"unknown format {kind}")
    print("\n".join(sorted(facts)))


main()
