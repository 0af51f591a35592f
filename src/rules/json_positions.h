// Where each value of a JSON document starts in its source text, and what it
// is.
//
// nlohmann-json forgets positions, and a rule author needs "rules/x.json:41:28"
// to find a typo in a 20 MB feed. So one linear pass of a minimal tokenizer
// records, for every value, its byte offset, line and column, and for every
// container its children in document order (object members with their raw
// key). Lookups walk this tree: by RFC 6901 pointer ("/rules/0/package_rules/3"),
// or step by step from a node, which is what the rule validator does so it
// never builds a pointer string unless it reports an error.
//
// The tree also serves the values (strings decoded on demand), so the loader
// never builds nlohmann's DOM: for a 33 MB feed the DOM cost ~570 ms to build
// and free, this tree ~60 ms (docs/rule-format.md, "Performance"). The same
// pass checks the grammar, so nlohmann's own (slower) parse runs only for a
// document the pass rejects or cannot settle, to give the error message.
//
// Lines are counted during the same pass because gv::line_col_at is O(offset)
// per call: calling it for each of 100,000 package rules would be quadratic.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace gv {

class JsonPositions {
 public:
  using NodeId = uint32_t;
  static constexpr NodeId kNone = UINT32_MAX;

  struct Node {
    uint32_t offset = 0;  // byte offset of the value's first character
    uint32_t line = 1;    // 1-based
    uint32_t col = 1;     // 1-based, in bytes
    uint32_t first = 0;   // containers: first child in members_; strings: 1 if escaped
    uint32_t count = 0;   // containers: number of children; strings: raw length
    char kind = 0;        // '{', '[', '"', or the value's first character
  };

  // Indexes `text`. On text that is not valid JSON the index is incomplete but
  // building it is still safe; use it only once the text is known to be JSON.
  explicit JsonPositions(std::string_view text);

  // Indexes `text` keeping one element of a big array at a time: each
  // element of the root object's array member `key` (a rule file's "rules"),
  // once read, is handed to on_element(tree, node, index, end) -- `end` is the
  // byte offset just past it -- and then dropped from the tree. A 142 MB feed
  // of 200,000 rules would otherwise hold ~5 million nodes (160 MB) at once.
  // Elements are handed over only while the text read so far is JSON; when
  // it stops being JSON the rest is indexed as usual and known_valid() is
  // false. The array's node keeps the elements not handed over; streamed()
  // counts those that were (they came first).
  using ElementFn = std::function<void(const JsonPositions&, NodeId, size_t index, size_t end)>;
  JsonPositions(std::string_view text, std::string_view key, const ElementFn& on_element);
  size_t streamed() const { return streamed_; }

  // True when the indexing pass proved the text is JSON that nlohmann's
  // strict parser accepts. False when it is not, or when the pass could not
  // tell (a number with a fraction or exponent, which nlohmann may refuse as
  // out of range): then ask nlohmann, which also has the error message.
  // Never true for text nlohmann rejects; tests/rules/json_positions_test.cpp
  // checks that against nlohmann on mutated documents.
  bool known_valid() const { return known_valid_; }
  // True when the pass saw a certain violation of the grammar (as opposed to
  // a number it leaves to nlohmann).
  bool known_invalid() const { return known_invalid_; }

  NodeId root() const { return nodes_.empty() ? kNone : 0; }
  const Node& node(NodeId id) const { return nodes_[id]; }

  bool is_object(NodeId id) const { return nodes_[id].kind == '{'; }
  bool is_array(NodeId id) const { return nodes_[id].kind == '['; }
  bool is_string(NodeId id) const { return nodes_[id].kind == '"'; }
  bool is_null(NodeId id) const { return nodes_[id].kind == 'n'; }
  // "object", "array", "string", "number", "boolean" or "null".
  std::string_view type_name(NodeId id) const;
  // Children of a container (0 for scalars).
  size_t size(NodeId id) const;
  // A string value, decoded; empty for anything else.
  std::string string(NodeId id) const;
  // The same without a copy when the literal has no escapes: a view of the
  // source text, else of *scratch holding the decoded value.
  std::string_view string_view(NodeId id, std::string* scratch) const;

  // Child `index` of an array (or the index-th member of an object).
  NodeId element(NodeId parent, size_t index) const;
  // Member `key` (unescaped) of an object; the last one when a key repeats,
  // which is the one nlohmann keeps.
  NodeId member(NodeId parent, std::string_view key) const;
  // The key of the index-th member of an object, unescaped: a view into the
  // source text, or into *scratch when the key has escapes.
  std::string_view member_key(NodeId parent, size_t index, std::string* scratch) const;
  NodeId member_value(NodeId parent, size_t index) const { return element(parent, index); }

  // The node an RFC 6901 pointer designates ("" is the root), or kNone.
  NodeId find(std::string_view pointer) const;
  // Byte offset where the value at `pointer` starts.
  std::optional<size_t> offset_of(std::string_view pointer) const;

 private:
  // 12 bytes a child. The key's length is kept so a lookup by name compares
  // lengths before bytes: the validator asks each rule object for a dozen
  // names, and scanning keys again was a tenth of a feed's load. (A big
  // rule file's tree holds one rule at a time, so this costs little.)
  struct Member {
    NodeId value = 0;
    uint32_t key_offset = 0;  // first byte after the key's opening quote (objects only)
    uint32_t key_len = 0;     // raw length; kEscapedKey set when it holds a backslash
  };
  static constexpr uint32_t kEscapedKey = 0x80000000u;
  void index(std::string_view key, const ElementFn* on_element);

  std::string_view text_;
  size_t streamed_ = 0;
  std::vector<Node> nodes_;      // in document order; 0 is the root
  std::vector<Member> members_;  // each container's children, contiguous
  bool known_valid_ = false;
  bool known_invalid_ = false;
};

// Decodes the raw contents of a JSON string literal (between the quotes).
std::string json_unescape(std::string_view raw);

// Escapes one reference token for a JSON pointer: "~" -> "~0", "/" -> "~1".
std::string pointer_escape(std::string_view token);

}  // namespace gv
