// Breadth-first bookkeeping shared by the lockfile walkers' dependency_paths:
// each visited location keeps only its parent and the name it was reached
// as; chains are rebuilt for the wanted locations alone, and the walk ends
// as soon as every wanted location is reached — a 100,000-package lockfile
// with one finding need not be walked whole. Breadth-first order makes the
// first chain found to a location a shortest one.
#pragma once

#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace gv {

class ShortestChains {
 public:
  explicit ShortestChains(const std::vector<std::string>& wanted)
      : wanted_(wanted.begin(), wanted.end()), remaining_(wanted_.size()) {}

  // A starting point: the root (empty name: not part of any chain) or a
  // workspace member (its name starts the chains through it).
  void start(std::string_view loc, std::string_view name) { visit(loc, Step{{}, name, false}); }
  // `loc` reached from `parent` as `name`; ignored when already visited.
  void reach(std::string_view loc, std::string_view parent, std::string_view name) {
    visit(loc, Step{parent, name, true});
  }
  bool visited(std::string_view loc) const { return seen_.contains(loc); }
  bool done() const { return remaining_ == 0; }
  // The next location to expand; false once the queue is empty or every
  // wanted location has been reached.
  bool next(std::string_view* loc) {
    if (queue_.empty() || done()) return false;
    *loc = queue_.front();
    queue_.pop_front();
    return true;
  }

  // For each location: the names from its start down to it (empty when it
  // was never reached).
  std::vector<std::vector<std::string>> chains(const std::vector<std::string>& locations) const {
    std::vector<std::vector<std::string>> out(locations.size());
    for (size_t i = 0; i < locations.size(); ++i) {
      auto it = seen_.find(locations[i]);
      if (it == seen_.end()) continue;
      std::vector<std::string> chain;
      for (const Step* s = &it->second;; s = &seen_.at(s->parent)) {
        if (!s->name.empty()) chain.emplace_back(s->name);
        if (!s->has_parent) break;
      }
      out[i].assign(chain.rbegin(), chain.rend());
    }
    return out;
  }

 private:
  struct Step {
    std::string_view parent;
    std::string_view name;
    bool has_parent = false;
  };
  void visit(std::string_view loc, Step step) {
    if (!seen_.try_emplace(loc, step).second) return;
    queue_.push_back(loc);
    if (wanted_.contains(loc)) --remaining_;
  }

  std::unordered_set<std::string_view> wanted_;
  size_t remaining_;
  std::unordered_map<std::string_view, Step> seen_;
  std::deque<std::string_view> queue_;
};

}  // namespace gv
