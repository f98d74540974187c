// Xapian (Debian libxapian-dev), bench-only peer of `ruv_bench sparse`: the same BM25 weights
// in a real search engine. Each document's terms are added with wdf = round(weight x 1000)
// (Xapian's term frequencies are integers), each query term with wqf = its (integer) query
// weight, and a weighting scheme of our own scores a document by sum(wqf x wdf / 1000): the
// same inner product as ruvector's, quantized to 1/1000 per weight. Xapian's matcher then prunes
// with its own upper bounds (get_maxpart: wqf x the list's largest wdf / 1000). The database is
// a glass database in a temporary directory (page cache), searched through Xapian::Enquire.
#include <xapian.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <unistd.h>
#include <vector>

#include "peer.h"

namespace {

// sum(wqf x wdf / 1000): the stored BM25 weights back, times the query weight.
class StoredWeight : public Xapian::Weight {
    double factor_ = 1.0;

  public:
    StoredWeight() {
        need_stat(WDF);
        need_stat(WDF_MAX);
        need_stat(WQF);
    }
    std::string name() const override { return "ruv-stored"; }
    StoredWeight *clone() const override { return new StoredWeight(); }
    void init(double factor) override { factor_ = factor; }
    double get_sumpart(Xapian::termcount wdf, Xapian::termcount, Xapian::termcount) const override {
        return factor_ * get_wqf() * (double)wdf / 1000.0;
    }
    double get_maxpart() const override {
        return factor_ * get_wqf() * (double)get_wdf_upper_bound() / 1000.0;
    }
    double get_sumextra(Xapian::termcount, Xapian::termcount) const override { return 0.0; }
    double get_maxextra() const override { return 0.0; }
};

std::string g_dir;
Xapian::Database *g_db = nullptr;
Xapian::Enquire *g_enq = nullptr;

std::string term_of(uint32_t id) { return "T" + std::to_string(id); }

} // namespace

extern "C" int peer_xapian_build(const int64_t *ptr, const uint32_t *ids, const float *vals,
                                 size_t rows, double *build_s, const char **version) {
    char tmpl[] = "/tmp/ruv_xapian_XXXXXX";
    if (!mkdtemp(tmpl))
        return 0;
    g_dir = tmpl;
    *version = Xapian::version_string();
    try {
        auto t0 = std::chrono::steady_clock::now();
        {
            Xapian::WritableDatabase w(g_dir,
                                       Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_BACKEND_GLASS);
            for (size_t r = 0; r < rows; r++) {
                Xapian::Document d;
                for (int64_t j = ptr[r]; j < ptr[r + 1]; j++) {
                    long q = std::lround((double)vals[j] * 1000.0);
                    d.add_term(term_of(ids[j]), (Xapian::termcount)(q < 1 ? 1 : q));
                }
                w.replace_document((Xapian::docid)(r + 1), d); // docid = row + 1
            }
            w.commit();
        }
        *build_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        g_db = new Xapian::Database(g_dir);
        g_enq = new Xapian::Enquire(*g_db);
        g_enq->set_weighting_scheme(StoredWeight());
        g_enq->set_docid_order(Xapian::Enquire::ASCENDING); // ties: the lower row first
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian: %s\n", e.get_description().c_str());
        return 0;
    }
    return 1;
}

extern "C" int peer_xapian_search(const uint32_t *qids, const float *qvals, size_t qn, size_t k,
                                  uint64_t *keys, double *scores, size_t *n) {
    std::vector<Xapian::Query> terms;
    *n = 0;
    try {
        for (size_t i = 0; i < qn; i++) {
            long wqf = std::lround(qvals[i]);
            terms.emplace_back(term_of(qids[i]), (Xapian::termcount)(wqf < 1 ? 1 : wqf));
        }
        g_enq->set_query(Xapian::Query(Xapian::Query::OP_OR, terms.begin(), terms.end()));
        Xapian::MSet m = g_enq->get_mset(0, (Xapian::doccount)k);
        for (Xapian::MSetIterator it = m.begin(); it != m.end(); ++it) {
            keys[*n] = (uint64_t)(*it - 1);
            scores[(*n)++] = it.get_weight();
        }
    } catch (const Xapian::Error &e) {
        std::fprintf(stderr, "xapian: %s\n", e.get_description().c_str());
        return 0;
    }
    return 1;
}

extern "C" void peer_xapian_free(void) {
    delete g_enq;
    delete g_db;
    g_enq = nullptr;
    g_db = nullptr;
    if (!g_dir.empty()) {
        std::string cmd = "rm -rf '" + g_dir + "'";
        if (std::system(cmd.c_str()) != 0)
            std::fprintf(stderr, "xapian: could not remove %s\n", g_dir.c_str());
        g_dir.clear();
    }
}
