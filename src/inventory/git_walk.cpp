#include "inventory/git_walk.h"

#include <git2.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <tuple>
#include <unordered_map>

#include "common/file.h"
#include "lockfile/format.h"

namespace gv::inventory {

namespace {

// libgit2 keeps global state (allocators, TLS): initialised once for the
// process and never shut down while another thread may still use it.
void init_libgit2() {
  static const int once = [] {
    const int n = git_libgit2_init();
    // libgit2 re-hashes every object it reads by default; on a 20,000-commit
    // history that SHA-1 was ~45% of the walk (bench/history_bench.cpp).
    // git itself does not verify on read (fsck does); a missing object, or
    // one that does not inflate, is still an error.
    git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, 0);
    return n;
  }();
  (void)once;
}

std::string git_error_text() {
  const git_error* e = git_error_last();
  return e != nullptr && e->message != nullptr ? e->message : "unknown libgit2 error";
}

// Owning handles for libgit2 objects.
template <class T, void (*Free)(T*)>
struct Own {
  T* p = nullptr;
  Own() = default;
  Own(const Own&) = delete;
  Own& operator=(const Own&) = delete;
  ~Own() {
    if (p != nullptr) Free(p);
  }
  T** out() { return &p; }
  T* get() const { return p; }
};
using RepoH = Own<git_repository, git_repository_free>;
using CommitH = Own<git_commit, git_commit_free>;
using TreeH = Own<git_tree, git_tree_free>;
using BlobH = Own<git_blob, git_blob_free>;
using WalkH = Own<git_revwalk, git_revwalk_free>;
using RefH = Own<git_reference, git_reference_free>;
using BranchIterH = Own<git_branch_iterator, git_branch_iterator_free>;

std::string hex(const git_oid* id) {
  char buf[GIT_OID_HEXSZ + 1];
  git_oid_tostr(buf, sizeof buf, id);
  return buf;
}

std::string base_name(std::string_view path) {
  size_t slash = path.find_last_of('/');
  return std::string(slash == std::string_view::npos ? path : path.substr(slash + 1));
}

struct OidHash {
  size_t operator()(const git_oid& id) const {
    size_t h;
    std::memcpy(&h, id.id, sizeof h);
    return h;
  }
};
struct OidEq {
  bool operator()(const git_oid& a, const git_oid& b) const { return git_oid_equal(&a, &b) != 0; }
};

// (name, version) pairs of one blob, sorted and unique.
using Versions = std::vector<std::pair<std::string, std::string>>;

struct PrOf {
  int64_t pr = 0;
  std::string commit;
};

constexpr int kMaxTreeDepth = 512;

// An indexed file that differs between two trees; a zero id on the side
// where it is absent.
struct FileDelta {
  std::string path;
  git_oid old_id{}, new_id{};
};

class Walker {
 public:
  Walker(git_repository* repo, const std::string& label, const WalkOptions& opt,
         std::vector<Error>* problems)
      : repo_(repo), label_(label), opt_(opt), problems_(problems) {}

  // One ref: commits after `base` (or all), then the tip's packages.
  bool index_ref(const std::string& ref_name, const git_oid& tip, const std::string& base,
                 RefIndex* out);

 private:
  void problem(std::string what) { problems_->push_back(Error{label_, 0, 0, std::move(what)}); }
  std::shared_ptr<const Versions> packages(const git_oid& blob, const std::string& path,
                                           const std::string& where);
  bool commit_changes(git_commit* c, CommitChanges* out);
  bool changed_files(const git_tree* before, const git_tree* after, const std::string& prefix, int depth,
                     std::vector<FileDelta>* out);
  void map_prs(const std::vector<git_oid>& order);
  void tip_packages(git_commit* tip, std::vector<TipPackage>* out);
  bool shallow_order(const git_oid& tip, const std::string& base, std::vector<git_oid>* order);
  bool full_order(const git_oid& tip, RefIndex* out, std::vector<git_oid>* order);

  git_repository* repo_;
  std::string label_;
  const WalkOptions& opt_;
  std::vector<Error>* problems_;
  // The blob id decides: a lockfile blob seen before is never parsed again
  // (the same lockfile recurs across refs, reverts and the tip).
  std::unordered_map<git_oid, std::shared_ptr<const Versions>, OidHash, OidEq> parsed_;
  std::unordered_map<git_oid, PrOf, OidHash, OidEq> pr_of_;
  size_t blobs_parsed_ = 0;  // cache misses, for RefIndex::blobs_parsed
 public:
  // The commits where a shallow clone's history is cut (.git/shallow):
  // libgit2 1.5 cannot walk past them (their parents are missing), so such
  // clones are walked by hand, treating those commits as roots.
  std::vector<git_oid> cut;
};

std::shared_ptr<const Versions> Walker::packages(const git_oid& blob_id, const std::string& path,
                                                 const std::string& where) {
  if (auto it = parsed_.find(blob_id); it != parsed_.end()) return it->second;
  ++blobs_parsed_;
  auto out = std::make_shared<Versions>();
  BlobH blob;
  if (git_blob_lookup(blob.out(), repo_, &blob_id) != 0) {
    problem(where + ": " + path + ": cannot read blob " + hex(&blob_id) + ": " + git_error_text());
  } else if (static_cast<size_t>(git_blob_rawsize(blob.get())) > opt_.max_blob_bytes) {
    problem(where + ": " + path + ": " + std::to_string(git_blob_rawsize(blob.get())) +
            " bytes, over the limit of " + std::to_string(opt_.max_blob_bytes) + "; not indexed");
  } else {
    const auto* raw = static_cast<const char*>(git_blob_rawcontent(blob.get()));
    const auto size = static_cast<size_t>(git_blob_rawsize(blob.get()));
    // The parsers may read kReadPadding bytes past the end (simdjson).
    std::string text;
    text.reserve(size + kReadPadding);  // else the append copies the whole blob again
    text.assign(raw, size).append(kReadPadding, '\0');
    std::string_view view(text.data(), size);
    LockfileKind kind = detect_lockfile(base_name(path), view.substr(0, 64 * 1024));
    if (kind == LockfileKind::kBunBinary || kind == LockfileKind::kUnknown) {
      problem(where + ": " + path + ": not indexed (" +
              (kind == LockfileKind::kBunBinary ? "binary bun.lockb" : "not a lockfile") + ")");
    } else {
      auto sink = [&](const PackageRef& p) {
        if (!p.name.empty() && !p.version.empty()) out->emplace_back(p.name, p.version);
      };
      ParseOptions po;
      po.graph_flags = false;
      if (std::optional<Error> e = parse_lockfile(kind, path, view, sink, nullptr, po)) {
        // Treated as empty: its packages show as removed here and added again
        // when a later commit repairs it; the problem says so.
        problem(where + ": " + e->str() + " (indexed as empty)");
        out->clear();
      }
    }
  }
  std::sort(out->begin(), out->end());
  out->erase(std::unique(out->begin(), out->end()), out->end());
  std::shared_ptr<const Versions> shared = std::move(out);
  parsed_.emplace(blob_id, shared);
  return shared;
}

// Added and removed versions between two sorted lists.
void diff_versions(const Versions& before, const Versions& after, const std::string& path,
                   std::vector<PackageChange>* out) {
  size_t i = 0, j = 0;
  while (i < before.size() || j < after.size()) {
    if (j == after.size() || (i < before.size() && before[i] < after[j])) {
      out->push_back({path, before[i].first, before[i].second, false});
      ++i;
    } else if (i == before.size() || after[j] < before[i]) {
      out->push_back({path, after[j].first, after[j].second, true});
      ++j;
    } else {
      ++i;
      ++j;
    }
  }
}

// The indexed files (blobs) that differ between two trees (nullptr: empty),
// as git_diff_tree_to_tree without rename detection lists them, but only
// descending into folders whose tree ids differ and without the diff's
// per-call reload of the repository's config (~11% of a 20,000-commit walk).
// Both entry lists are in git's tree order, so one merge pass pairs them.
bool Walker::changed_files(const git_tree* before, const git_tree* after, const std::string& prefix,
                           int depth, std::vector<FileDelta>* out) {
  const size_t na = before ? git_tree_entrycount(before) : 0, nb = after ? git_tree_entrycount(after) : 0;
  size_t i = 0, j = 0;
  while (i < na || j < nb) {
    const git_tree_entry* a = i < na ? git_tree_entry_byindex(before, i) : nullptr;
    const git_tree_entry* b = j < nb ? git_tree_entry_byindex(after, j) : nullptr;
    const int cmp = a == nullptr ? 1 : b == nullptr ? -1 : git_tree_entry_cmp(a, b);
    if (cmp == 0) ++i, ++j;
    else if (cmp < 0) ++i, b = nullptr;
    else ++j, a = nullptr;
    if (a != nullptr && b != nullptr && git_oid_equal(git_tree_entry_id(a), git_tree_entry_id(b)) &&
        git_tree_entry_filemode(a) == git_tree_entry_filemode(b))
      continue;
    const git_tree_entry* e = b != nullptr ? b : a;
    const std::string path = prefix + git_tree_entry_name(e);
    if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      // Installed copies are not the project's declarations; the tip skips
      // them too (tip_packages), so both sides agree.
      if (std::strcmp(git_tree_entry_name(e), "node_modules") == 0) continue;
      // A hostile history can nest folders deeper than any stack.
      if (depth >= kMaxTreeDepth) {
        git_error_set_str(GIT_ERROR_INVALID, ("folders nested deeper than " + std::to_string(kMaxTreeDepth) +
                                              " levels at " + path).c_str());
        return false;
      }
      TreeH ta, tb;
      if (a != nullptr && git_tree_lookup(ta.out(), repo_, git_tree_entry_id(a)) != 0) return false;
      if (b != nullptr && git_tree_lookup(tb.out(), repo_, git_tree_entry_id(b)) != 0) return false;
      if (!changed_files(ta.get(), tb.get(), path + "/", depth + 1, out)) return false;
    } else if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && is_indexed_file(git_tree_entry_name(e))) {
      FileDelta d{path};
      if (a != nullptr) d.old_id = *git_tree_entry_id(a);
      if (b != nullptr) d.new_id = *git_tree_entry_id(b);
      out->push_back(std::move(d));
    }
  }
  return true;
}

bool Walker::commit_changes(git_commit* c, CommitChanges* out) {
  const std::string sha = hex(git_commit_id(c));
  // A merge's own diff repeats what its branch's commits did; those commits
  // are walked too and carry the change (and the merge names their PR).
  if (git_commit_parentcount(c) > 1) return false;
  TreeH tree, parent_tree;
  if (git_commit_tree(tree.out(), c) != 0) {
    problem("commit " + sha + ": cannot read its tree: " + git_error_text());
    return false;
  }
  if (git_commit_parentcount(c) == 1) {
    CommitH parent;
    if (git_commit_parent(parent.out(), c, 0) != 0 || git_commit_tree(parent_tree.out(), parent.get()) != 0) {
      // Shallow clones end in commits whose parents are missing.
      problem("commit " + sha + ": parent not readable (shallow clone or missing object): " +
              git_error_text() + "; its changes are not indexed");
      return false;
    }
  }
  std::vector<FileDelta> deltas;
  if (!changed_files(parent_tree.get(), tree.get(), "", 0, &deltas)) {
    problem("commit " + sha + ": cannot diff: " + git_error_text());
    return false;
  }
  static const Versions kNone;
  const std::string where = "commit " + sha.substr(0, 12);
  for (const FileDelta& d : deltas) {
    std::shared_ptr<const Versions> before, after;
    if (!git_oid_is_zero(&d.old_id)) before = packages(d.old_id, d.path, where);
    if (!git_oid_is_zero(&d.new_id)) after = packages(d.new_id, d.path, where);
    diff_versions(before ? *before : kNone, after ? *after : kNone, d.path, &out->changes);
  }
  if (out->changes.empty()) return false;
  std::sort(out->changes.begin(), out->changes.end(), [](const PackageChange& a, const PackageChange& b) {
    return std::tie(a.lockfile, a.package, a.version, a.added) < std::tie(b.lockfile, b.package, b.version, b.added);
  });
  CommitInfo& info = out->commit;
  info.sha = sha;
  const git_signature* author = git_commit_author(c);
  const git_signature* committer = git_commit_committer(c);
  info.author = author != nullptr && author->name != nullptr ? author->name : "";
  info.author_email = author != nullptr && author->email != nullptr ? author->email : "";
  info.committer = committer != nullptr && committer->name != nullptr ? committer->name : "";
  info.time = static_cast<int64_t>(git_commit_time(c));
  const char* summary = git_commit_summary(c);
  info.subject = summary != nullptr ? summary : "";
  if (auto it = pr_of_.find(*git_commit_id(c)); it != pr_of_.end()) {
    info.pr = it->second.pr;
    info.pr_commit = it->second.commit;
  }
  return true;
}

// Which PR brought each commit: a squash commit names its own; a merge
// commit names the PR of the commits its second parent brought in (those
// reachable from it and not from the first parent). Oldest merges first, so
// a PR merged into another PR's branch keeps its own number.
void Walker::map_prs(const std::vector<git_oid>& order) {
  for (const git_oid& id : order) {
    CommitH c;
    if (git_commit_lookup(c.out(), repo_, &id) != 0) continue;
    const char* message = git_commit_message(c.get());
    const int64_t pr = message != nullptr ? pr_number(message) : 0;
    if (pr == 0) continue;
    const std::string sha = hex(&id);
    pr_of_.try_emplace(id, PrOf{pr, sha});
    if (git_commit_parentcount(c.get()) < 2) continue;
    WalkH walk;
    if (git_revwalk_new(walk.out(), repo_) != 0) continue;
    if (git_revwalk_push(walk.get(), git_commit_parent_id(c.get(), 1)) != 0) continue;
    git_revwalk_hide(walk.get(), git_commit_parent_id(c.get(), 0));  // absent in a shallow clone: walk all
    git_oid branch;
    while (git_revwalk_next(&branch, walk.get()) == 0) pr_of_.try_emplace(branch, PrOf{pr, sha});
  }
}

void Walker::tip_packages(git_commit* tip, std::vector<TipPackage>* out) {
  TreeH tree;
  if (git_commit_tree(tree.out(), tip) != 0) {
    problem("tip " + hex(git_commit_id(tip)) + ": cannot read its tree: " + git_error_text());
    return;
  }
  struct Found {
    std::string path;
    git_oid id;
  };
  std::vector<Found> files;
  auto visit = [](const char* root, const git_tree_entry* e, void* payload) -> int {
    const char* name = git_tree_entry_name(e);
    if (git_tree_entry_type(e) == GIT_OBJECT_TREE) {
      return std::strcmp(name, "node_modules") == 0 ? 1 : 0;  // 1: skip this subtree
    }
    if (git_tree_entry_type(e) == GIT_OBJECT_BLOB && is_indexed_file(name)) {
      static_cast<std::vector<Found>*>(payload)->push_back({std::string(root) + name, *git_tree_entry_id(e)});
    }
    return 0;
  };
  git_tree_walk(tree.get(), GIT_TREEWALK_PRE, visit, &files);
  const std::string where = "tip " + hex(git_commit_id(tip)).substr(0, 12);
  for (const Found& f : files) {
    for (const auto& [name, version] : *packages(f.id, f.path, where)) out->push_back({f.path, name, version});
  }
}

// Parents before children, oldest first among siblings, from `tip` down to
// the cut commits, leaving out what `base` reaches.
bool Walker::shallow_order(const git_oid& tip, const std::string& base, std::vector<git_oid>* order) {
  auto is_cut = [&](const git_oid& id) {
    return std::any_of(cut.begin(), cut.end(), [&](const git_oid& c) { return git_oid_equal(&c, &id); });
  };
  struct Node {
    std::vector<git_oid> parents;
    int64_t time = 0;
  };
  // Everything reachable from a commit, stopping at the cut and at `stop`.
  auto reach = [&](const git_oid& from, const std::unordered_map<git_oid, Node, OidHash, OidEq>* stop,
                   std::unordered_map<git_oid, Node, OidHash, OidEq>* seen) -> bool {
    std::vector<git_oid> todo{from};
    while (!todo.empty()) {
      git_oid id = todo.back();
      todo.pop_back();
      if (seen->count(id) || (stop && stop->count(id))) continue;
      CommitH c;
      if (git_commit_lookup(c.out(), repo_, &id) != 0) {
        problem("commit " + hex(&id) + ": cannot read: " + git_error_text());
        return false;
      }
      Node& n = (*seen)[id];
      n.time = git_commit_time(c.get());
      if (is_cut(id)) continue;
      for (unsigned k = 0; k < git_commit_parentcount(c.get()); ++k) {
        n.parents.push_back(*git_commit_parent_id(c.get(), k));
        todo.push_back(n.parents.back());
      }
    }
    return true;
  };
  std::unordered_map<git_oid, Node, OidHash, OidEq> hidden, graph;
  if (!base.empty()) {
    git_oid base_id;
    if (git_oid_fromstr(&base_id, base.c_str()) == 0) reach(base_id, nullptr, &hidden);
  }
  if (!reach(tip, &hidden, &graph)) return false;
  // Kahn's algorithm; among ready commits the oldest goes first.
  std::unordered_map<git_oid, int, OidHash, OidEq> waiting;
  std::unordered_map<git_oid, std::vector<git_oid>, OidHash, OidEq> children;
  for (const auto& [id, n] : graph) {
    int count = 0;
    for (const git_oid& p : n.parents) {
      if (graph.count(p)) {
        ++count;
        children[p].push_back(id);
      }
    }
    waiting[id] = count;
  }
  auto later = [&](const git_oid& a, const git_oid& b) { return graph[a].time > graph[b].time; };
  std::vector<git_oid> ready;
  for (const auto& [id, count] : waiting) {
    if (count == 0) ready.push_back(id);
  }
  while (!ready.empty()) {
    std::sort(ready.begin(), ready.end(), later);
    git_oid id = ready.back();
    ready.pop_back();
    order->push_back(id);
    for (const git_oid& c : children[id]) {
      if (--waiting[c] == 0) ready.push_back(c);
    }
  }
  return true;
}

bool Walker::index_ref(const std::string& ref_name, const git_oid& tip_id, const std::string& base,
                       RefIndex* out) {
  out->ref = ref_name;
  out->tip = hex(&tip_id);
  out->base = base;
  std::vector<git_oid> order;
  if (!cut.empty()) {
    if (!shallow_order(tip_id, base, &order)) return false;
  } else if (!full_order(tip_id, out, &order)) {
    return false;
  }
  const size_t parsed_before = blobs_parsed_;
  out->commits_walked = order.size();
  map_prs(order);
  for (const git_oid& c_id : order) {
    CommitH c;
    if (git_commit_lookup(c.out(), repo_, &c_id) != 0) {
      problem("commit " + hex(&c_id) + ": cannot read: " + git_error_text());
      continue;
    }
    CommitChanges changes;
    if (commit_changes(c.get(), &changes)) out->commits.push_back(std::move(changes));
  }
  CommitH tip;
  if (git_commit_lookup(tip.out(), repo_, &tip_id) == 0) tip_packages(tip.get(), &out->tip_packages);
  out->blobs_parsed = blobs_parsed_ - parsed_before;
  return true;
}

bool Walker::full_order(const git_oid& tip_id, RefIndex* out, std::vector<git_oid>* order) {
  const std::string& ref_name = out->ref;
  const std::string base = out->base;
  WalkH walk;
  if (git_revwalk_new(walk.out(), repo_) != 0 ||
      git_revwalk_sorting(walk.get(), GIT_SORT_TOPOLOGICAL | GIT_SORT_TIME | GIT_SORT_REVERSE) != 0 ||
      git_revwalk_push(walk.get(), &tip_id) != 0) {
    problem(ref_name + ": cannot walk from " + out->tip + ": " + git_error_text());
    return false;
  }
  if (!base.empty()) {
    git_oid base_id;
    if (git_oid_fromstr(&base_id, base.c_str()) != 0 || git_revwalk_hide(walk.get(), &base_id) != 0) {
      // History was rewritten (force-push) or the object is gone: index all
      // again; saving the same commits again adds nothing.
      problem(ref_name + ": last indexed tip " + base + " is not in this history any more; indexing all of it");
      out->base.clear();
    }
  }
  git_oid id;
  int rc;
  while ((rc = git_revwalk_next(&id, walk.get())) == 0) order->push_back(id);
  if (rc != GIT_ITEROVER) {
    problem(ref_name + ": history walk stopped after " + std::to_string(order->size()) +
            " commits: " + git_error_text());
  }
  return true;
}

// The branch HEAD names (a clone's default branch), or origin/HEAD's target
// in a clone whose HEAD is detached.
std::optional<std::string> default_branch(git_repository* repo) {
  for (const char* name : {"HEAD", "refs/remotes/origin/HEAD"}) {
    RefH head;
    if (git_reference_lookup(head.out(), repo, name) != 0) continue;
    if (git_reference_type(head.get()) != GIT_REFERENCE_SYMBOLIC) continue;
    std::string target = git_reference_symbolic_target(head.get());
    RefH resolved;
    if (git_reference_lookup(resolved.out(), repo, target.c_str()) == 0) return target;
  }
  return std::nullopt;
}

std::string short_name(const std::string& full) {
  for (std::string_view prefix : {"refs/heads/", "refs/remotes/"}) {
    if (full.starts_with(prefix)) return full.substr(prefix.size());
  }
  return full;
}


}  // namespace

std::string repository_name(const std::string& path) {
  std::string p = path;
  while (p.size() > 1 && p.back() == '/') p.pop_back();
  std::string name = base_name(p);
  if (name.empty() || name == "." || name == "..") {
    std::error_code ec;
    name = std::filesystem::weakly_canonical(std::filesystem::absolute(p, ec), ec).filename().string();
  }
  if (name.ends_with(".git") && name.size() > 4) name.resize(name.size() - 4);
  return name;
}

bool is_repository(const std::string& path) {
  init_libgit2();
  RepoH repo;
  return git_repository_open_ext(repo.out(), path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) == 0;
}

bool is_indexed_file(std::string_view path) {
  std::string name = base_name(path);
  return name == "package.json" || is_lockfile_name(name);
}

int64_t pr_number(std::string_view message) {
  auto digits_at = [&](size_t i) -> int64_t {
    int64_t n = 0;
    size_t k = i;
    while (k < message.size() && k - i < 12 && message[k] >= '0' && message[k] <= '9') {
      n = n * 10 + (message[k] - '0');
      ++k;
    }
    return k > i ? n : 0;
  };
  const std::string_view subject = message.substr(0, message.find('\n'));
  if (subject.starts_with("Merge pull request #")) return digits_at(20);
  // A squash merge: the subject ends with "(#N)".
  std::string_view s = subject;
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  if (s.ends_with(')')) {
    size_t open = s.rfind("(#");
    if (open != std::string_view::npos && open + 2 < s.size() - 1) {
      std::string_view num = s.substr(open + 2, s.size() - 1 - open - 2);
      if (std::all_of(num.begin(), num.end(), [](char c) { return c >= '0' && c <= '9'; }) && num.size() <= 12) {
        return digits_at(open + 2);
      }
    }
  }
  // GitLab: "See merge request group/project!N" in the message body.
  constexpr std::string_view kGitlab = "See merge request ";
  if (size_t at = message.find(kGitlab); at != std::string_view::npos) {
    size_t bang = message.find('!', at + kGitlab.size());
    size_t eol = message.find('\n', at);
    if (bang != std::string_view::npos && (eol == std::string_view::npos || bang < eol)) return digits_at(bang + 1);
  }
  return 0;
}

std::optional<Error> walk_repository(const std::string& path, const WalkOptions& opt,
                                     const LastTip& last_tip, std::vector<RefIndex>* out,
                                     std::vector<Error>* problems) {
  init_libgit2();
  RepoH repo;
  if (git_repository_open_ext(repo.out(), path.c_str(), GIT_REPOSITORY_OPEN_NO_SEARCH, nullptr) != 0) {
    return Error{path, 0, 0, "not a git repository: " + git_error_text()};
  }
  const std::string name = opt.repo.empty() ? repository_name(path) : opt.repo;
  if (git_repository_is_shallow(repo.get()) == 1) {
    problems->push_back(Error{path, 0, 0, "shallow clone: history before its cut is not indexed"});
  }
  std::vector<std::pair<std::string, git_oid>> refs;  // full name, tip
  auto add_ref = [&](const std::string& full) {
    git_oid tip;
    if (git_reference_name_to_id(&tip, repo.get(), full.c_str()) == 0) refs.emplace_back(full, tip);
  };
  std::optional<std::string> head = default_branch(repo.get());
  if (head) add_ref(*head);
  if (opt.all_refs) {
    BranchIterH it;
    if (git_branch_iterator_new(it.out(), repo.get(), GIT_BRANCH_ALL) == 0) {
      git_reference* ref = nullptr;
      git_branch_t type;
      while (git_branch_next(&ref, &type, it.get()) == 0) {
        RefH owned;
        owned.p = ref;
        if (git_reference_type(ref) == GIT_REFERENCE_SYMBOLIC) continue;  // origin/HEAD
        std::string full = git_reference_name(ref);
        if (!head || full != *head) add_ref(full);
      }
    }
    // A working clone has both main and origin/main: a remote-tracking
    // branch at the same commit as the local branch of its name is the same
    // history, indexed once (under the local name).
    const std::vector<std::pair<std::string, git_oid>> all = refs;
    std::erase_if(refs, [&](const std::pair<std::string, git_oid>& r) {
      constexpr std::string_view kRemotes = "refs/remotes/";
      if (!r.first.starts_with(kRemotes)) return false;
      const size_t slash = r.first.find('/', kRemotes.size());
      if (slash == std::string::npos) return false;
      const std::string local = "refs/heads/" + r.first.substr(slash + 1);
      return std::any_of(all.begin(), all.end(), [&](const std::pair<std::string, git_oid>& l) {
        return l.first == local && git_oid_equal(&l.second, &r.second);
      });
    });
  }
  if (refs.empty()) return Error{path, 0, 0, "no default branch (HEAD names no branch) and no branches to index"};
  Walker walker(repo.get(), path, opt, problems);
  if (git_repository_is_shallow(repo.get()) == 1) {
    std::ifstream shallow(std::string(git_repository_path(repo.get())) + "shallow");
    std::string line;
    git_oid id;
    while (std::getline(shallow, line)) {
      if (git_oid_fromstr(&id, line.c_str()) == 0) walker.cut.push_back(id);
    }
  }
  for (const auto& [full, tip] : refs) {
    RefIndex idx;
    idx.org = opt.org;
    idx.repo = name;
    idx.path = path;
    const std::string ref = short_name(full);
    const std::string base = last_tip ? last_tip(ref) : "";
    if (base == hex(&tip)) continue;  // nothing new
    if (walker.index_ref(ref, tip, base, &idx)) out->push_back(std::move(idx));
  }
  return std::nullopt;
}

}  // namespace gv::inventory
