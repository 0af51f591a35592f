// Replaced by the real heuristic rules.
rule gv_placeholder { condition: false }
