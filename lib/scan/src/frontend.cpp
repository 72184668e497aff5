// The only translation unit of schemagen that includes Clang. Nothing here throws from inside a
// Clang callback (LLVM is built without exceptions): problems are collected and handed back.

#include "frontend.hpp"

#include <clang/AST/ASTConsumer.h>
#include <clang/AST/ASTContext.h>
#include <clang/AST/Attr.h>
#include <clang/AST/DeclTemplate.h>
#include <clang/AST/RawCommentList.h>
#include <clang/AST/RecursiveASTVisitor.h>
#include <clang/Basic/SourceManager.h>
#include <clang/Basic/Version.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>
#include <clang/Frontend/FrontendActions.h>
#include <clang/Lex/HeaderSearch.h>
#include <clang/Lex/Lexer.h>
#include <clang/Lex/MacroInfo.h>
#include <clang/Lex/PPCallbacks.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Tooling/CompilationDatabase.h>
#include <clang/Tooling/Tooling.h>
#include <fmt/format.h>
#include <llvm/ADT/SmallString.h>
#include <llvm/ADT/StringSet.h>
#include <llvm/Support/Path.h>
#include <llvm/Support/VirtualFileSystem.h>
#include <map>
#include <set>

namespace schemagen::scan {

namespace {

using namespace clang;

constexpr llvm::StringLiteral annotation_prefix = "schemagen::";

SourceLoc to_loc(const SourceManager& sm, SourceLocation loc) {
  if (loc.isInvalid()) return {};
  const PresumedLoc p = sm.getPresumedLoc(sm.getExpansionLoc(loc));
  if (p.isInvalid()) return {};
  return SourceLoc{p.getFilename(), p.getLine(), p.getColumn()};
}

/// Skips inline namespaces (std::__cxx11, std::chrono::_V2) upwards.
const DeclContext* outer_context(const DeclContext* dc) {
  while (dc && dc->isInlineNamespace()) dc = dc->getParent();
  return dc;
}

bool in_std(const Decl* d) { return outer_context(d->getDeclContext())->isStdNamespace(); }

bool in_std_chrono(const Decl* d) {
  const auto* ns = dyn_cast_or_null<NamespaceDecl>(outer_context(d->getDeclContext()));
  return ns && ns->getName() == "chrono" && outer_context(ns->getParent())->isStdNamespace();
}

/// The specialization `std::<name><...>` (or `std::chrono::<name><...>`) that `type` is, if any.
const ClassTemplateSpecializationDecl* std_template(QualType type, llvm::StringRef name,
                                                    bool chrono = false) {
  const auto* spec = dyn_cast_or_null<ClassTemplateSpecializationDecl>(type->getAsCXXRecordDecl());
  if (!spec || spec->getName() != name) return nullptr;
  return (chrono ? in_std_chrono(spec) : in_std(spec)) ? spec : nullptr;
}

class TypeClassifier {
public:
  TypeClassifier(ASTContext& ctx) : ctx_(ctx) {}

  CxxType classify(QualType written) const {
    CxxType t =
        classify_canonical(written.getNonReferenceType().getCanonicalType().getUnqualifiedType());
    t.spelling = written.getAsString(ctx_.getPrintingPolicy());
    return t;
  }

private:
  CxxType classify_canonical(QualType type) const {
    CxxType t;
    if (const auto* opt = std_template(type, "optional")) {
      t = classify_canonical(opt->getTemplateArgs()[0].getAsType().getCanonicalType());
      if (t.optional) return unmapped("std::optional of std::optional");
      t.optional = true;
      return t;
    }
    if (const auto* str = std_template(type, "basic_string")) {
      if (str->getTemplateArgs()[0].getAsType()->isSpecificBuiltinType(BuiltinType::Char_S) ||
          str->getTemplateArgs()[0].getAsType()->isSpecificBuiltinType(BuiltinType::Char_U))
        return kind(CxxType::Kind::string);
      return unmapped("only strings of char map to TEXT");
    }
    if (const auto* vec = std_template(type, "vector")) {
      QualType elem = vec->getTemplateArgs()[0].getAsType().getCanonicalType();
      if (is_byte(elem)) return kind(CxxType::Kind::bytes);
      CxxType inner = classify_canonical(elem);
      if (inner.kind == CxxType::Kind::unmapped || inner.optional ||
          inner.kind == CxxType::Kind::bytes)
        return unmapped("std::vector of a type that is no mapped scalar");
      ++inner.array_dims;
      return inner;
    }
    if (const auto* tp = std_template(type, "time_point", true)) {
      const auto* clock = tp->getTemplateArgs()[0].getAsType()->getAsCXXRecordDecl();
      if (!clock || clock->getName() != "system_clock" || !in_std_chrono(clock))
        return unmapped("only std::chrono::system_clock time points map");
      const auto* duration =
          std_template(tp->getTemplateArgs()[1].getAsType().getCanonicalType(), "duration", true);
      if (duration) {
        const auto* ratio =
            std_template(duration->getTemplateArgs()[1].getAsType().getCanonicalType(), "ratio");
        if (ratio) {
          const auto num = ratio->getTemplateArgs()[0].getAsIntegral().getExtValue();
          const auto den = ratio->getTemplateArgs()[1].getAsIntegral().getExtValue();
          if (den != 0 && num / den == 86400 && num % den == 0) return kind(CxxType::Kind::date);
        }
      }
      return kind(CxxType::Kind::timestamp);
    }
    if (const auto* et = type->getAs<EnumType>()) {
      CxxType e = kind(CxxType::Kind::enumeration);
      e.enum_key = et->getDecl()->getQualifiedNameAsString();
      return e;
    }
    if (const auto* bt = type->getAs<BuiltinType>()) {
      if (bt->getKind() == BuiltinType::Bool) return kind(CxxType::Kind::boolean);
      if (bt->isFloatingPoint()) {
        const auto bits = ctx_.getTypeSize(type);
        if (bt->getKind() == BuiltinType::Float || bt->getKind() == BuiltinType::Double) {
          CxxType f = kind(CxxType::Kind::floating);
          f.bits = static_cast<unsigned>(bits);
          return f;
        }
        return unmapped("only float and double map");
      }
      if (bt->isInteger()) {
        if (type->isAnyCharacterType() || bt->getKind() == BuiltinType::SChar ||
            bt->getKind() == BuiltinType::UChar)
          return unmapped("a character type");
        const auto bits = ctx_.getTypeSize(type);
        if (bits != 16 && bits != 32 && bits != 64) return unmapped("no integer type of that size");
        CxxType i = kind(CxxType::Kind::integer);
        i.bits = static_cast<unsigned>(bits);
        i.is_unsigned = bt->isUnsignedInteger();
        return i;
      }
    }
    return unmapped({});
  }

  bool is_byte(QualType elem) const {
    if (elem->isSpecificBuiltinType(BuiltinType::UChar)) return true;
    const auto* et = elem->getAs<EnumType>();
    return et && et->getDecl()->getName() == "byte" && in_std(et->getDecl());
  }

  static CxxType kind(CxxType::Kind k) {
    CxxType t;
    t.kind = k;
    return t;
  }
  static CxxType unmapped(std::string problem) {
    CxxType t;
    t.problem = std::move(problem);
    return t;
  }

  ASTContext& ctx_;
};

/// Walks the user's declarations (system headers and statements skipped) for SG_* attributes.
class Visitor : public RecursiveASTVisitor<Visitor> {
public:
  Visitor(ASTContext& ctx, RawModels& out, DiagnosticList& diags)
      : ctx_(ctx), sm_(ctx.getSourceManager()), types_(ctx), out_(out), diags_(diags) {}

  bool TraverseDecl(Decl* d) {
    if (d && !isa<TranslationUnitDecl>(d) && sm_.isInSystemHeader(d->getLocation())) return true;
    return RecursiveASTVisitor::TraverseDecl(d);
  }
  bool TraverseStmt(Stmt*) { return true; }

  bool VisitCXXRecordDecl(CXXRecordDecl* d) {
    auto annotations = read(d);
    if (annotations.empty()) {
      if (d->isThisDeclarationADefinition() && has_annotated_fields(d)) untabled_.push_back(d);
      return true;
    }
    if (!d->isThisDeclarationADefinition()) return true; // the definition carries them too
    if (d->getDescribedClassTemplate() || isa<ClassTemplateSpecializationDecl>(d)) {
      diags_.error(annotations.front().loc, "schemagen annotations cannot go on a class template");
      return true;
    }
    const std::string& kind = annotations.front().kind;
    if (!declares_struct(kind)) {
      const bool table_level =
          kind == "index" || kind == "unique" || kind == "check" || kind == "foreign_key";
      diags_.error(annotations.front().loc,
                   table_level
                       ? fmt::format("{} on '{}', which has no SG_TABLE",
                                     annotations.front().macro(), d->getName().str())
                       : fmt::format("{} does not go on a struct", annotations.front().macro()));
      return true;
    }
    RawTable table;
    table.cxx_name = d->getQualifiedNameAsString();
    table.loc = to_loc(sm_, d->getLocation());
    table.annotations = std::move(annotations);
    table.doc = doc(d);
    add_fields(d, table.fields);
    (kind == "view" ? out_.views : out_.tables).push_back(std::move(table));
    tables_.insert(d);
    return true;
  }

  bool VisitEnumDecl(EnumDecl* d) {
    auto annotations = read(d);
    if (annotations.empty() || !d->isThisDeclarationADefinition()) return true;
    for (std::size_t i = 0; i < annotations.size(); ++i)
      if (annotations[i].kind != "enum" || i > 0) {
        diags_.error(annotations[i].loc,
                     annotations[i].kind == "enum"
                         ? "SG_ENUM is given twice"
                         : fmt::format("{} does not go on an enum", annotations[i].macro()));
        return true;
      }
    RawEnum e;
    e.cxx_name = d->getQualifiedNameAsString();
    e.loc = to_loc(sm_, d->getLocation());
    e.annotation = std::move(annotations.front());
    for (const auto* enumerator : d->enumerators()) {
      e.values.push_back(enumerator->getName().str());
      std::optional<Annotation> label;
      for (auto& a : read(enumerator)) {
        if (a.kind != "value" || label)
          diags_.error(a.loc, a.kind == "value" ? "SG_VALUE is given twice"
                                                : fmt::format("{} does not go on an enumerator",
                                                              a.macro()));
        else
          label = std::move(a);
      }
      e.value_labels.push_back(std::move(label));
    }
    out_.enums.push_back(std::move(e));
    return true;
  }

  /// SG_* on anything else: a function, a variable, a static member.
  bool VisitDecl(Decl* d) {
    if (isa<CXXRecordDecl>(d) || isa<EnumDecl>(d) || isa<FieldDecl>(d)) return true;
    // an SG_ENUM's enumerators are read with their enum
    if (const auto* c = dyn_cast<EnumConstantDecl>(d))
      if (const auto* e = dyn_cast<EnumDecl>(c->getDeclContext()); e && !read(e).empty())
        return true;
    for (const auto& a : read(d))
      diags_.error(a.loc, fmt::format("{} does not go here: {}", a.macro(),
                                      a.kind == "column" || a.kind == "ignore"
                                          ? "it marks a non-static data member of an SG_TABLE or "
                                            "SG_VIEW struct"
                                          : a.kind == "value"
                                          ? "it names the value of an enumerator of an SG_ENUM enum"
                                          : "it goes on a struct or enum"));
    return true;
  }

  /// After the walk: SG_COLUMN in structs that are no table or view and no base of one.
  void finish() {
    for (const auto* d : untabled_) {
      if (is_base_of_table(d)) continue;
      for (const auto* f : d->fields())
        for (const auto& a : read(f))
          diags_.error(a.loc, fmt::format("{} on a member of '{}', which has no SG_TABLE or "
                                          "SG_VIEW and is no table's or view's base",
                                          a.macro(), d->getName().str()));
    }
  }

private:
  /// SG_TABLE and SG_VIEW make a struct a table or a view; the other macros on it qualify that.
  static bool declares_struct(const std::string& kind) { return kind == "table" || kind == "view"; }

  std::vector<Annotation> read(const Decl* d) {
    std::vector<Annotation> out;
    for (const auto* attr : d->specific_attrs<AnnotateAttr>()) {
      if (!attr->getAnnotation().startswith(annotation_prefix)) continue;
      out.push_back(read(attr));
    }
    std::stable_sort(out.begin(), out.end(), [](const Annotation& a, const Annotation& b) {
      const bool at = declares_struct(a.kind), bt = declares_struct(b.kind);
      if (at != bt) return at;
      return std::pair(a.loc.line, a.loc.column) < std::pair(b.loc.line, b.loc.column);
    });
    return out;
  }

  Annotation read(const AnnotateAttr* attr) {
    Annotation a;
    a.kind = attr->getAnnotation().drop_front(annotation_prefix.size()).str();
    const CharSourceRange range = sm_.getExpansionRange(attr->getLocation());
    a.loc = to_loc(sm_, range.getBegin());
    // Parse the options from the source as written, so that errors point at the option itself.
    const auto errors_before = diags_.error_count();
    const llvm::StringRef source = Lexer::getSourceText(range, sm_, ctx_.getLangOpts());
    // sized: its data() runs on to the end of the file, and measuring that for every annotation
    // made the scan quadratic in the declarations per file
    const std::string_view written(source.data(), source.size());
    if (written.starts_with("SG_")) {
      if (auto args = macro_arguments(written)) {
        a.options = parse_options(args->first, advance(a.loc, written, args->second), diags_);
        a.malformed = diags_.error_count() > errors_before;
        return a;
      }
      if (a.kind == "ignore") return a;
    }
    // Spelled some other way (another macro, a raw [[clang::annotate]]): the stringized options.
    if (attr->args_size() > 0)
      if (const auto* lit = dyn_cast<StringLiteral>(attr->args_begin()[0]->IgnoreParenImpCasts()))
        a.options = parse_options(std::string_view(lit->getString().data(), lit->getLength()),
                                  a.loc, diags_);
    a.malformed = diags_.error_count() > errors_before;
    return a;
  }

  void add_fields(const CXXRecordDecl* d, std::vector<RawField>& fields) {
    for (const auto& base : d->bases())
      if (const auto* b = base.getType()->getAsCXXRecordDecl(); b && b->hasDefinition())
        add_fields(b->getDefinition(), fields);
    for (const auto* f : d->fields()) {
      if (f->isAnonymousStructOrUnion() || f->getName().empty()) continue;
      RawField field;
      field.cxx_name = f->getName().str();
      field.loc = to_loc(sm_, f->getLocation());
      field.type = types_.classify(f->getType());
      field.annotations = read(f);
      for (const auto& a : field.annotations)
        if (a.kind != "column" && a.kind != "ignore")
          diags_.error(a.loc, fmt::format("{} does not go on a data member", a.macro()));
      field.doc = doc(f);
      fields.push_back(std::move(field));
    }
  }

  bool has_annotated_fields(const CXXRecordDecl* d) {
    for (const auto* f : d->fields())
      for (const auto* attr : f->specific_attrs<AnnotateAttr>())
        if (attr->getAnnotation().startswith(annotation_prefix)) return true;
    return false;
  }

  bool is_base_of_table(const CXXRecordDecl* d) const {
    for (const auto* t : tables_)
      if (t->isDerivedFrom(d)) return true;
    return false;
  }

  std::optional<std::string> doc(const Decl* d) {
    const RawComment* rc = doc_comment(d);
    if (!rc || !rc->isDocumentation()) return std::nullopt;
    std::string text = rc->getFormattedText(sm_, ctx_.getDiagnostics());
    while (!text.empty() && std::isspace(static_cast<unsigned char>(text.back()))) text.pop_back();
    if (text.empty()) return std::nullopt;
    return text;
  }

  /// The documentation comment of `d`. Clang's own lookup refuses a comment when the text
  /// between it and the declaration's name holds ';', '{', '}', '#' or '@' (another declaration
  /// could be in between) — even inside the annotations' string literals, as in
  /// SG_CHECK("ck", expr = "tags <> '{}'"). So where Clang finds none, look again the same way,
  /// reading past string and character literals.
  const RawComment* doc_comment(const Decl* d) const {
    if (const RawComment* rc = ctx_.getRawCommentForDeclNoCache(d)) return rc;
    const SourceLocation loc = d->getLocation();
    if (loc.isInvalid() || !loc.isFileID()) return nullptr;
    const auto [file, offset] = sm_.getDecomposedLoc(loc);
    const auto* comments = ctx_.Comments.getCommentsInFile(file);
    if (!comments) return nullptr;
    const auto after = comments->lower_bound(offset);
    if (after == comments->begin()) return nullptr;
    const RawComment* rc = std::prev(after)->second;
    if (!rc->isDocumentation() || rc->isTrailingComment()) return nullptr;
    const unsigned end = sm_.getDecomposedLoc(rc->getSourceRange().getEnd()).second;
    if (end > offset) return nullptr;
    const StringRef between = sm_.getBufferData(file).substr(end, offset - end);
    char quote = 0; // inside a literal: its quote character
    for (std::size_t i = 0; i < between.size(); ++i) {
      const char c = between[i];
      if (quote) {
        if (c == '\\')
          ++i;
        else if (c == quote)
          quote = 0;
      } else if (c == '"' || c == '\'') {
        quote = c;
      } else if (StringRef(";{}#@").contains(c)) {
        return nullptr;
      }
    }
    return rc;
  }

  ASTContext& ctx_;
  SourceManager& sm_;
  TypeClassifier types_;
  RawModels& out_;
  DiagnosticList& diags_;
  std::vector<const CXXRecordDecl*> untabled_;
  std::set<const CXXRecordDecl*> tables_;
};

/// Every file `sm` read but its main file, by real path where it has one.
void files_read(const SourceManager& sm, std::vector<std::string>& out) {
  const FileEntry* main = sm.getFileEntryForID(sm.getMainFileID());
  for (auto it = sm.fileinfo_begin(); it != sm.fileinfo_end(); ++it) {
    const FileEntry* fe = it->first;
    if (!fe || fe == main) continue;
    out.emplace_back(fe->tryGetRealPathName().empty() ? fe->getName()
                                                      : fe->tryGetRealPathName());
  }
}

/// Watches the preprocessor for the prelude. It records the system headers the user's files
/// include before their first declaration: what the next parse may take precompiled. And when
/// this parse starts from a prelude, whose headers are then read before the models instead of
/// where the models include them, it records what could make a difference: anything the user's
/// files do before they have included each prelude header themselves but include headers and
/// define macros (the caller checks their names against those the prelude looked at).
class PreludeWatcher : public PPCallbacks {
public:
  PreludeWatcher(const SourceManager& sm, const std::vector<std::string>& prelude,
                 ParseOutput& out)
      : sm_(sm), pending_(prelude.begin(), prelude.end()), out_(out) {}

  void InclusionDirective(SourceLocation hash, const Token&, StringRef name, bool angled,
                          CharSourceRange, const FileEntry* file, StringRef, StringRef,
                          const Module*, SrcMgr::CharacteristicKind kind) override {
    if (!leading_ || !angled || !file || kind == SrcMgr::C_User || !in_user_file(hash)) return;
    std::string spelled = "<" + name.str() + ">";
    pending_.erase(spelled);
    if (seen_.insert(spelled).second) out_.leading_includes.push_back(std::move(spelled));
  }

  void MacroDefined(const Token& name, const MacroDirective*) override { defines(name); }
  void MacroUndefined(const Token& name, const MacroDefinition&, const MacroDirective*) override {
    defines(name);
  }
  void MacroExpands(const Token& name, const MacroDefinition& md, SourceRange,
                    const MacroArgs*) override {
    tests(name, md);
  }
  void Defined(const Token& name, const MacroDefinition& md, SourceRange) override {
    tests(name, md);
  }
  void Ifdef(SourceLocation, const Token& name, const MacroDefinition& md) override {
    tests(name, md);
  }
  void Ifndef(SourceLocation, const Token& name, const MacroDefinition& md) override {
    tests(name, md);
  }
  void Elifdef(SourceLocation, const Token& name, const MacroDefinition& md) override {
    tests(name, md);
  }
  void Elifndef(SourceLocation, const Token& name, const MacroDefinition& md) override {
    tests(name, md);
  }

  /// Each token the parser reads: the first of the user's files' ends the leading includes.
  void token(const Token& t) {
    if (!leading_ || !in_user_file(t.getLocation())) return;
    leading_ = false;
    if (!pending_.empty()) out_.prelude_in_place = false; // declared before including it
  }

  void finish() {
    if (!pending_.empty()) out_.prelude_in_place = false; // a prelude header nobody includes now
  }

private:
  bool in_user_file(SourceLocation loc) const {
    if (loc.isInvalid()) return false;
    loc = sm_.getFileLoc(loc);
    return !sm_.isInSystemHeader(loc) && sm_.getFileEntryForID(sm_.getFileID(loc));
  }
  void defines(const Token& name) {
    if (!pending_.empty() && in_user_file(name.getLocation()))
      out_.early_macros.push_back(name.getIdentifierInfo()->getName().str());
  }
  void tests(const Token& name, const MacroDefinition& md) {
    if (pending_.empty() || !in_user_file(name.getLocation())) return;
    if (const MacroInfo* mi = md.getMacroInfo(); mi && sm_.isInSystemHeader(mi->getDefinitionLoc()))
      out_.prelude_in_place = false; // a system header's macro, defined earlier than it would be
  }

  const SourceManager& sm_;
  std::set<std::string> pending_; // prelude headers the user's files have not included yet
  std::set<std::string> seen_;
  bool leading_ = true;
  ParseOutput& out_;
};

/// Each identifier in `text` (the words of an #if condition), to `f`.
template <class F> void each_identifier(StringRef text, F f) {
  for (std::size_t i = 0; i < text.size();) {
    if (!isAsciiIdentifierStart(text[i])) {
      ++i;
      continue;
    }
    std::size_t end = i;
    while (end < text.size() && isAsciiIdentifierContinue(text[end])) ++end;
    f(text.substr(i, end - i));
    i = end;
  }
}

/// Records MacroUse for a part of a split parse: every macro defined or undefined in a file, and
/// every name tested while undefined (by #ifdef, defined(), or a word of an #if).
class MacroWatcher : public PPCallbacks {
public:
  MacroWatcher(Preprocessor& pp, MacroUse& out) : pp_(pp), sm_(pp.getSourceManager()), out_(out) {}

  void MacroDefined(const Token& name, const MacroDirective* md) override {
    const SourceLocation at = sm_.getFileLoc(md->getLocation());
    const FileEntry* file = at.isValid() ? sm_.getFileEntryForID(sm_.getFileID(at)) : nullptr;
    if (!file) return; // built in, or from the command line: the same for every part
    // by real path: a header reached by two spellings is one place
    const StringRef path =
        file->tryGetRealPathName().empty() ? file->getName() : file->tryGetRealPathName();
    out_.definitions.emplace_back(name.getIdentifierInfo()->getName().str(),
                                  fmt::format("{}:{}", path.str(), sm_.getFileOffset(at)));
  }
  void MacroUndefined(const Token&, const MacroDefinition&, const MacroDirective*) override {
    out_.undefines = true;
  }
  void Defined(const Token& name, const MacroDefinition& md, SourceRange) override { tests(name, md); }
  void Ifdef(SourceLocation, const Token& name, const MacroDefinition& md) override { tests(name, md); }
  void Ifndef(SourceLocation, const Token& name, const MacroDefinition& md) override { tests(name, md); }
  void Elifdef(SourceLocation, const Token& name, const MacroDefinition& md) override { tests(name, md); }
  void Elifndef(SourceLocation, const Token& name, const MacroDefinition& md) override { tests(name, md); }
  void If(SourceLocation, SourceRange condition, ConditionValueKind) override { words(condition); }
  void Elif(SourceLocation, SourceRange condition, ConditionValueKind, SourceLocation) override {
    words(condition);
  }

  void EndOfMainFile() override {
    auto& headers = pp_.getHeaderSearchInfo();
    for (auto it = sm_.fileinfo_begin(); it != sm_.fileinfo_end(); ++it)
      if (it->first)
        if (const auto* guard =
                headers.getFileInfo(it->first).getControllingMacro(pp_.getExternalSource()))
          out_.include_guards.push_back(guard->getName().str());
  }

private:
  void tests(const Token& name, const MacroDefinition& md) {
    if (!md.getMacroInfo()) out_.tested_undefined.push_back(name.getIdentifierInfo()->getName().str());
  }
  void words(SourceRange range) {
    each_identifier(
        Lexer::getSourceText(CharSourceRange::getTokenRange(range), sm_, pp_.getLangOpts()),
        [&](StringRef word) {
          if (!pp_.isMacroDefined(word)) out_.tested_undefined.push_back(word.str());
        });
  }

  Preprocessor& pp_;
  const SourceManager& sm_;
  MacroUse& out_;
};

class Consumer : public ASTConsumer {
public:
  Consumer(ParseOutput& out, DiagnosticList& diags, PreludeWatcher& watcher)
      : out_(out), diags_(diags), watcher_(watcher) {}

  void HandleTranslationUnit(ASTContext& ctx) override {
    watcher_.finish();
    out_.compiled = !ctx.getDiagnostics().hasErrorOccurred();
    if (out_.compiled) { // a broken parse would only add noise
      Visitor v(ctx, out_.raw, diags_);
      v.TraverseDecl(ctx.getTranslationUnitDecl());
      v.finish();
    }
    files_read(ctx.getSourceManager(), out_.dependencies);
  }

private:
  ParseOutput& out_;
  DiagnosticList& diags_;
  PreludeWatcher& watcher_;
};

class Action : public ASTFrontendAction {
public:
  Action(const std::vector<std::string>& prelude, bool watch_macros, ParseOutput& out,
         DiagnosticList& diags)
      : prelude_(prelude), watch_macros_(watch_macros), out_(out), diags_(diags) {}

  bool BeginInvocation(CompilerInstance& ci) override {
    // Models live in declarations: function bodies are never needed, and skipping them is most
    // of what makes the scan cheaper than a plain -fsyntax-only.
    ci.getFrontendOpts().SkipFunctionBodies = true;
    return true;
  }
  std::unique_ptr<ASTConsumer> CreateASTConsumer(CompilerInstance& ci, llvm::StringRef) override {
    Preprocessor& pp = ci.getPreprocessor();
    auto watcher = std::make_unique<PreludeWatcher>(ci.getSourceManager(), prelude_, out_);
    PreludeWatcher& w = *watcher;
    pp.addPPCallbacks(std::move(watcher));
    pp.setTokenWatcher([&w](const Token& t) { w.token(t); });
    if (watch_macros_) pp.addPPCallbacks(std::make_unique<MacroWatcher>(pp, out_.macros));
    return std::make_unique<Consumer>(out_, diags_, w);
  }

private:
  const std::vector<std::string>& prelude_;
  bool watch_macros_;
  ParseOutput& out_;
  DiagnosticList& diags_;
};

/// The names a prelude's preprocessing looks at: a macro the models define or undefine before
/// they include the prelude's headers themselves changes what those read, unless it is none of
/// these.
class NameCollector : public PPCallbacks {
public:
  NameCollector(const SourceManager& sm, const LangOptions& lang, llvm::StringSet<>& names)
      : sm_(sm), lang_(lang), names_(names) {}

  void MacroDefined(const Token& name, const MacroDirective*) override { add(name); }
  void MacroUndefined(const Token& name, const MacroDefinition&, const MacroDirective*) override {
    add(name);
  }
  void MacroExpands(const Token& name, const MacroDefinition&, SourceRange,
                    const MacroArgs*) override {
    add(name);
  }
  void Defined(const Token& name, const MacroDefinition&, SourceRange) override { add(name); }
  void Ifdef(SourceLocation, const Token& name, const MacroDefinition&) override { add(name); }
  void Ifndef(SourceLocation, const Token& name, const MacroDefinition&) override { add(name); }
  void Elifdef(SourceLocation, const Token& name, const MacroDefinition&) override { add(name); }
  void Elifndef(SourceLocation, const Token& name, const MacroDefinition&) override { add(name); }
  // `#if FOO` tests FOO too, without a callback of its own when it is undefined (then 0)
  void If(SourceLocation, SourceRange condition, ConditionValueKind) override { words(condition); }
  void Elif(SourceLocation, SourceRange condition, ConditionValueKind, SourceLocation) override {
    words(condition);
  }

private:
  void add(const Token& name) { names_.insert(name.getIdentifierInfo()->getName()); }
  void words(SourceRange range) {
    each_identifier(Lexer::getSourceText(CharSourceRange::getTokenRange(range), sm_, lang_),
                    [&](StringRef word) { names_.insert(word); });
  }

  const SourceManager& sm_;
  const LangOptions& lang_;
  llvm::StringSet<>& names_;
};

/// GeneratePCHAction into `output`, function bodies skipped as the scan skips them, recording
/// what the prelude read and looked at.
class PrecompileAction : public GeneratePCHAction {
public:
  PrecompileAction(std::string output, Precompiled& result)
      : output_(std::move(output)), result_(result) {}

  bool BeginInvocation(CompilerInstance& ci) override {
    ci.getFrontendOpts().OutputFile = output_;
    ci.getFrontendOpts().SkipFunctionBodies = true;
    return GeneratePCHAction::BeginInvocation(ci);
  }
  bool BeginSourceFileAction(CompilerInstance& ci) override {
    ci.getPreprocessor().addPPCallbacks(
        std::make_unique<NameCollector>(ci.getSourceManager(), ci.getLangOpts(), names_));
    return GeneratePCHAction::BeginSourceFileAction(ci);
  }
  void EndSourceFileAction() override {
    files_read(getCompilerInstance().getSourceManager(), result_.dependencies);
    for (const auto& name : names_) result_.consulted_names.push_back(name.getKey().str());
    std::sort(result_.consulted_names.begin(), result_.consulted_names.end());
    GeneratePCHAction::EndSourceFileAction();
  }

private:
  std::string output_;
  Precompiled& result_;
  llvm::StringSet<> names_;
};

/// Makes the tool's frontend action with `make`.
template <class Make> class Factory : public tooling::FrontendActionFactory {
public:
  explicit Factory(Make make) : make_(std::move(make)) {}
  std::unique_ptr<FrontendAction> create() override { return make_(); }

private:
  Make make_;
};

/// Clang's own errors (a header that does not compile) as schemagen diagnostics, in order.
class DiagnosticCollector : public DiagnosticConsumer {
public:
  explicit DiagnosticCollector(DiagnosticList& diags) : diags_(diags) {}

  void HandleDiagnostic(DiagnosticsEngine::Level level, const clang::Diagnostic& info) override {
    DiagnosticConsumer::HandleDiagnostic(level, info);
    Severity severity;
    if (level >= DiagnosticsEngine::Error) {
      severity = Severity::error;
      last_was_error_ = true;
    } else if (level == DiagnosticsEngine::Note && last_was_error_) {
      severity = Severity::note;
    } else {
      last_was_error_ = false;
      return; // warnings and remarks: the models' business, not the scan's
    }
    llvm::SmallString<256> message;
    info.FormatDiagnostic(message);
    SourceLoc loc;
    if (info.hasSourceManager() && info.getLocation().isValid())
      loc = to_loc(info.getSourceManager(), info.getLocation());
    diags_.add({loc, severity, std::string(message)});
  }

private:
  DiagnosticList& diags_;
  bool last_was_error_ = false;
};

/// The flags compile_commands.json gives `file` (interpolated from a neighbour for a header).
std::vector<std::string> database_flags(const std::filesystem::path& dir, const std::string& file,
                                        std::string& working_dir) {
  std::string error;
  auto db = tooling::CompilationDatabase::loadFromDirectory(dir.string(), error);
  if (!db)
    throw UserError(fmt::format("{}: error: cannot use compile_commands.json: {}",
                                (dir / "compile_commands.json").string(), error));
  auto commands = tooling::inferMissingCompileCommands(std::move(db))->getCompileCommands(file);
  if (commands.empty()) return {};
  const auto& cmd = commands.front();
  working_dir = cmd.Directory;
  std::vector<std::string> flags;
  const auto& argv = cmd.CommandLine;
  for (std::size_t i = 1; i < argv.size(); ++i) { // drop the compiler, the file and the output
    if (argv[i] == cmd.Filename || argv[i] == "-c") continue;
    if (argv[i] == "-o" || argv[i] == "-MF" || argv[i] == "-MT" || argv[i] == "-MQ") {
      ++i;
      continue;
    }
    if (argv[i] == "--") continue;
    flags.push_back(argv[i]);
  }
  return flags;
}

/// Runs the action `make` makes over `file` with the input's flags and `extra`; Clang's errors
/// go to `diags`. Clang's exit code.
template <class Make>
int run_tool(const ParseInput& input, const std::string& file,
             const std::vector<std::string>& extra, Make make, DiagnosticList& diags) {
  std::vector<std::string> flags = input.flags;
  flags.insert(flags.end(), extra.begin(), extra.end());
  tooling::FixedCompilationDatabase db(input.working_dir, flags);
  // a file system of its own, whose working directory is its own: the process-wide one that
  // ClangTool takes by default changes the process's (chdir), which parts of a split scan
  // (scan.cpp) running on other threads would race on
  llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> files(
      llvm::vfs::createPhysicalFileSystem().release());
  tooling::ClangTool tool(db, {file}, std::make_shared<PCHContainerOperations>(), files);
  tool.mapVirtualFile(input.main_file, input.main_code);
  for (const auto& [path, content] : input.virtual_files) tool.mapVirtualFile(path, content);
  DiagnosticCollector collector(diags);
  tool.setDiagnosticConsumer(&collector);
  tool.setPrintErrorMessage(false);
  Factory<Make> factory(std::move(make));
  return tool.run(&factory);
}

} // namespace

void resolve_compile_commands(ParseInput& input) {
  if (!input.compile_commands) return;
  auto flags =
      database_flags(*input.compile_commands, input.compile_commands_file, input.working_dir);
  flags.insert(flags.end(), input.flags.begin(), input.flags.end());
  input.flags = std::move(flags);
  input.compile_commands.reset();
}

void parse(const ParseInput& given, ParseOutput& output, DiagnosticList& diags) {
  ParseInput input = given;
  resolve_compile_commands(input);
  std::vector<std::string> extra;
  if (!input.pch.empty()) extra = {"-include-pch", input.pch};
  const int rc = run_tool(
      input, input.main_file, extra,
      [&] { return std::make_unique<Action>(input.prelude, input.watch_macros, output, diags); },
      diags);
  if (rc != 0 && !diags.has_errors())
    diags.error(SourceLoc{}, "the models could not be parsed (Clang reported no reason)");
}

bool precompile(const ParseInput& given, const std::string& prelude, const std::string& output,
                Precompiled& result, std::string& error) {
  ParseInput input = given;
  resolve_compile_commands(input);
  DiagnosticList diags;
  const int rc = run_tool(
      input, prelude, {},
      [&] { return std::make_unique<PrecompileAction>(output, result); }, diags);
  if (rc == 0 && !diags.has_errors()) return true;
  error = diags.has_errors() ? diags.items().front().str() : "Clang reported no reason";
  return false;
}

std::string clang_version() { return getClangFullVersion(); }

} // namespace schemagen::scan
