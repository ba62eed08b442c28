#include "runtime/trainer.hpp"

#include "runtime/interrupt.hpp"
#include "runtime/progress.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstring>
#include <exception>
#include <mutex>
#include <thread>

namespace idlab::host {

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

int64_t int_param(const StageConfig& stage, const char* key) {
    const ParamValue* p = stage.find(key);
    return p ? p->int_value : 0;
}

idlab_create_ctx_t create_context(const idlab_host_t* host, uint64_t seed, uint32_t threads,
                                  const char* stage, const std::vector<idlab_field_desc_t>& fields,
                                  int64_t input_dim) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof(ctx);
    ctx.host = host;
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.seed = seed;
    ctx.stage = stage;
    ctx.field_count = static_cast<uint32_t>(fields.size());
    ctx.fields = fields.empty() ? nullptr : fields.data();
    ctx.input_dim = input_dim;
    ctx.threads = threads;
    return ctx;
}

const idlab_field_desc_t* find_field(const std::vector<idlab_field_desc_t>& fields,
                                     const std::string& name) {
    for (const auto& f : fields)
        if (name == f.name) return &f;
    return nullptr;
}

std::string field_list(const std::vector<idlab_field_desc_t>& fields) {
    std::string s;
    for (const auto& f : fields) s += (s.empty() ? "" : ", ") + std::string(f.name);
    return s;
}

// Runs one job at a time on its own thread (the training loop samples the next batch there).
// wait() blocks until the current job is done; rethrow_failure() then rethrows what it threw.
// The destructor lets a running job finish.
class BackgroundJob {
public:
    BackgroundJob() : thread_([this] { serve(); }) {}
    ~BackgroundJob() {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            stop_ = true;
        }
        changed_.notify_all();
        thread_.join();
    }
    BackgroundJob(const BackgroundJob&) = delete;
    BackgroundJob& operator=(const BackgroundJob&) = delete;

    void start(std::function<void()> job) {
        {
            std::lock_guard<std::mutex> lock(mutex_);
            job_ = std::move(job);
            busy_ = true;
        }
        changed_.notify_all();
    }
    void wait() {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(lock, [this] { return !busy_; });
    }
    void rethrow_failure() {
        std::lock_guard<std::mutex> lock(mutex_);
        if (!failure_) return;
        std::exception_ptr failure = failure_;
        failure_ = nullptr;
        std::rethrow_exception(failure);
    }

private:
    void serve() {
        std::unique_lock<std::mutex> lock(mutex_);
        for (;;) {
            changed_.wait(lock, [this] { return stop_ || job_; });
            if (!job_) return;  // stopped, nothing left to run
            std::function<void()> job = std::move(job_);
            job_ = nullptr;
            lock.unlock();
            std::exception_ptr failure;
            try {
                job();
            } catch (...) {
                failure = std::current_exception();
            }
            lock.lock();
            failure_ = failure;
            busy_ = false;
            changed_.notify_all();
        }
    }

    std::mutex mutex_;
    std::condition_variable changed_;
    std::function<void()> job_;
    std::exception_ptr failure_;
    bool busy_ = false, stop_ = false;
    std::thread thread_;  // last: it starts once the members above exist
};

}  // namespace

// ------------------------------------------------------------ buffers

void Trainer::FieldBuffers::allocate(const std::vector<idlab_field_desc_t>& fields, int64_t rows) {
    buffers.clear();
    items.clear();
    buffers.reserve(fields.size());
    for (const auto& f : fields) {
        std::vector<int64_t> shape = {rows};
        if (f.width > 0) shape.push_back(f.width);
        buffers.emplace_back(f.name, static_cast<idlab_dtype_t>(f.dtype), shape);
    }
    for (auto& b : buffers) items.push_back(idlab_named_tensor_t{b.name().c_str(), b.view()});
    set.count = static_cast<uint32_t>(items.size());
    set.items = items.data();
}

TensorBuffer* Trainer::FieldBuffers::find(const std::string& name) {
    for (auto& b : buffers)
        if (b.name() == name) return &b;
    return nullptr;
}

// ------------------------------------------------------------ set-up

Trainer::Trainer(const Recipe& recipe, const idlab_host_t* host) : recipe_(recipe), host_(host) {
    seed_ = int_param(recipe.run, "seed");
    steps_ = int_param(recipe.train, "steps");
    batch_ = int_param(recipe.train, "batch_size");
    eval_every_ = int_param(recipe.train, "eval_every");
    eval_samples_ = int_param(recipe.train, "eval_samples");
    const int64_t threads = int_param(recipe.run, "threads");
    threads_ = threads > 0 ? static_cast<uint32_t>(threads)
                           : std::max(1u, std::thread::hardware_concurrency());
    const uint64_t seed = static_cast<uint64_t>(seed_);

    data_ = std::make_unique<DataStage>(recipe.data, create_context(host, seed, threads_, "data", {}, 0));
    fields_ = data_->fields();
    const idlab_field_desc_t* x = find_field(fields_, "x");
    if (!x || x->dtype != IDLAB_DTYPE_F32 || x->width <= 0)
        throw WiringError(recipe.data.where,
                          "data '" + recipe.data.kind +
                              "' provides no float field 'x' [batch, width] for the encoder "
                              "(it provides: " + field_list(fields_) + ")");

    encoder_ = std::make_unique<EncoderStage>(
        recipe.encoder, create_context(host, seed, threads_, "encoder", fields_, x->width));
    const int64_t dim = encoder_->output_dim();
    if (dim <= 0)
        throw WiringError(recipe.encoder.where, "encoder '" + recipe.encoder.kind +
                                                    "' reports an output width of " +
                                                    std::to_string(dim));

    loss_ = std::make_unique<LossStage>(recipe.loss, create_context(host, seed, threads_, "loss", fields_, dim));
    views_ = loss_->views();
    for (const std::string& view : views_) {
        const idlab_field_desc_t* f = find_field(fields_, view);
        if (!f || f->dtype != IDLAB_DTYPE_F32 || f->width != x->width)
            throw WiringError(recipe.loss.where,
                              "loss '" + recipe.loss.kind + "' encodes field '" + view +
                                  "', which data '" + recipe.data.kind +
                                  "' does not provide as a float [batch, " +
                                  std::to_string(x->width) + "] like 'x' (it provides: " +
                                  field_list(fields_) + ")");
    }
    // Tensors metrics may name as "<stage>.<name>": every parameter and constant.
    for (const InstanceHandle* h : {&data_->handle(), &encoder_->handle(), &loss_->handle()}) {
        for (const idlab_param_view_t& p : parameters_of(*h))
            stage_tensors_.emplace_back(h->stage() + "." + p.name, p.value);
        for (const idlab_named_tensor_t& c : constants_of(*h))
            stage_tensors_.emplace_back(h->stage() + "." + c.name, c.tensor);
    }
    optimizer_ = std::make_unique<OptimizerStage>(
        recipe.optimizer, create_context(host, seed, threads_, "optimizer", fields_, 0));
    for (const StageConfig& m : recipe.metrics)
        metrics_.push_back(std::make_unique<MetricStage>(
            m, create_context(host, seed, threads_, "metrics", fields_, dim)));

    // Buffers, allocated once.
    train_.allocate(fields_, batch_);
    eval_.allocate(fields_, eval_samples_);
    const int64_t encoded_rows = batch_ * static_cast<int64_t>(views_.size());
    if (views_.size() > 1 || views_.front() != "x")
        stacked_ = TensorBuffer("encoder_input", IDLAB_DTYPE_F32, {encoded_rows, x->width});
    features_ = TensorBuffer("features", IDLAB_DTYPE_F32, {encoded_rows, dim});
    dfeatures_ = TensorBuffer("dfeatures", IDLAB_DTYPE_F32, {encoded_rows, dim});
    eval_features_ = TensorBuffer("features", IDLAB_DTYPE_F32, {eval_samples_, dim});

    // The loss reads the fields it names.
    for (const std::string& name : loss_->inputs())
        if (!find_field(fields_, name))
            throw WiringError(recipe.loss.where, "loss '" + recipe.loss.kind + "' needs field '" +
                                                     name + "', which data '" + recipe.data.kind +
                                                     "' does not provide (it provides: " +
                                                     field_list(fields_) + ")");
    build_input_set(loss_->inputs(), train_, nullptr, loss_items_, loss_inputs_);

    // Metrics read evaluation fields and "features"; the baseline passes x as the features.
    metric_items_.resize(metrics_.size());
    baseline_items_.resize(metrics_.size());
    metric_inputs_.resize(metrics_.size());
    baseline_inputs_.resize(metrics_.size());
    for (size_t i = 0; i < metrics_.size(); ++i) {
        auto inputs = metrics_[i]->inputs();
        for (const std::string& name : inputs) {
            if (name == "features" || find_field(fields_, name)) continue;
            bool is_stage_tensor = false;
            std::string stage_names;
            for (const auto& [tensor_name, tensor] : stage_tensors_) {
                is_stage_tensor = is_stage_tensor || tensor_name == name;
                stage_names += ", " + tensor_name;
            }
            if (!is_stage_tensor)
                throw WiringError(recipe.metrics[i].where,
                                  "metric '" + recipe.metrics[i].kind + "' needs '" + name +
                                      "', which this pipeline does not provide (it provides: "
                                      "features, " + field_list(fields_) + stage_names + ")");
        }
        build_input_set(inputs, eval_, &eval_features_, metric_items_[i], metric_inputs_[i]);
        build_input_set(inputs, eval_, eval_.find("x"), baseline_items_[i], baseline_inputs_[i]);
        for (const std::string& v : metrics_[i]->value_names()) {
            std::string name = v;
            for (int k = 2; std::find(value_names_.begin(), value_names_.end(), name) != value_names_.end(); ++k)
                name = v + "_" + std::to_string(k);
            value_names_.push_back(name);
        }
    }
    values_.assign(value_names_.size(), 0.0);

    // Every trainable parameter of every stage goes to the optimizer.
    std::vector<idlab_param_view_t> params;
    for (const InstanceHandle* h : {&data_->handle(), &encoder_->handle(), &loss_->handle()}) {
        auto p = parameters_of(*h);
        params.insert(params.end(), p.begin(), p.end());
    }
    optimizer_->bind(params);
    size_t count = 0;
    for (const auto& p : params) {
        size_t n = 1;
        for (int d = 0; d < p.value.ndim; ++d) n *= static_cast<size_t>(p.value.shape[d]);
        count += n;
    }
    spdlog::info("pipeline: {} -> {} (output {}) -> {} -> {}; {} trainable parameters in {} tensors",
                 recipe.data.kind, recipe.encoder.kind, dim, recipe.loss.kind,
                 recipe.optimizer.kind, count, params.size());
}

Trainer::~Trainer() = default;

void Trainer::build_input_set(const std::vector<std::string>& names, FieldBuffers& fields,
                              TensorBuffer* features, std::vector<idlab_named_tensor_t>& items,
                              idlab_tensor_set_t& set) {
    items.clear();
    for (const std::string& name : names) {
        if (name == "features" && features) {
            items.push_back(idlab_named_tensor_t{"features", features->view()});
            continue;
        }
        for (const auto& item : fields.items)
            if (name == item.name) items.push_back(item);
        for (const auto& [tensor_name, tensor] : stage_tensors_)
            if (name == tensor_name) items.push_back(idlab_named_tensor_t{tensor_name.c_str(), tensor});
    }
    set.count = static_cast<uint32_t>(items.size());
    set.items = items.data();
}

idlab_exec_ctx_t Trainer::context(bool training, uint64_t stream, uint64_t counter,
                                  int64_t step) const {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof(ctx);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.stream = nullptr;
    ctx.rng = idlab_rng_t{static_cast<uint64_t>(seed_), stream, counter};
    ctx.training = training ? 1 : 0;
    ctx.step = step;
    ctx.host = host_;
    return ctx;
}

// ------------------------------------------------------------ evaluation

NamedValues Trainer::evaluate(int64_t step, uint64_t eval_index, bool baseline) {
    idlab_exec_ctx_t ctx = context(false, IDLAB_RNG_STREAM_EVAL, eval_index, step);
    data_->sample(ctx, eval_samples_, eval_.set);
    if (!baseline) {
        TensorBuffer* x = eval_.find("x");
        for (int64_t first = 0; first < eval_samples_; first += batch_) {
            int64_t n = std::min(batch_, eval_samples_ - first);
            DLTensor xin = x->row_view(first, n);
            DLTensor out = eval_features_.row_view(first, n);
            encoder_->forward(ctx, xin, out);
        }
    }
    size_t k = 0;
    std::vector<bool> scored(value_names_.size(), true);
    for (size_t i = 0; i < metrics_.size(); ++i) {
        const size_t count = metrics_[i]->value_names().size();
        if (!baseline) {
            metrics_[i]->evaluate(ctx, metric_inputs_[i], values_.data() + k, step);
        } else {
            // The baseline (features = x) is informative only: a metric that cannot take x as
            // its features (one that checks them against a head) is left out of it, not fatal.
            try {
                metrics_[i]->evaluate(ctx, baseline_inputs_[i], values_.data() + k, step);
            } catch (const ComponentFailure& f) {
                spdlog::info("baseline: metric '{}' does not apply to x ({})", f.id, f.what());
                std::fill(scored.begin() + static_cast<std::ptrdiff_t>(k),
                          scored.begin() + static_cast<std::ptrdiff_t>(k + count), false);
            }
        }
        k += count;
    }
    NamedValues out;
    for (size_t i = 0; i < value_names_.size(); ++i)
        if (scored[i]) out.emplace_back(value_names_[i], values_[i]);
    return out;
}

// ------------------------------------------------------------ the loop

RunSummary Trainer::run(Progress& progress,
                        const std::function<void(const Evaluation&)>& on_evaluation) {
    RunSummary summary;
    const auto t0 = Clock::now();

    // Evaluation index 0 scores the raw observations: how linear the mixing alone is.
    if (!metrics_.empty()) {
        summary.baseline = evaluate(0, 0, true);
        for (const auto& [name, value] : summary.baseline)
            spdlog::info("baseline (features = x): {} = {:.4f}", name, value);
    }

    // Two sets of batch buffers: while step s trains on one, a helper thread samples the batch
    // of step s + 1 into the other. A batch depends only on the seed and its step, so the data
    // are the ones an inline draw would give; only the data stage runs on the helper, and never
    // at the same time as an evaluation (which samples too). That uses a core the step leaves
    // idle with run.threads = 1. With more threads the stages keep every core busy themselves
    // (the data stage splits its sampling over its own threads), and a helper would only take
    // cores away from them mid-step: the batch is then drawn in place, before the step.
    const bool sample_ahead = threads_ == 1;
    struct BatchSlot {
        FieldBuffers* fields;
        idlab_tensor_set_t* loss_inputs;
        std::vector<TensorBuffer*> views;  // the loss's views among `fields`
        DLTensor x;                        // the encoder's input
    };
    FieldBuffers spare;
    spare.allocate(fields_, batch_);
    std::vector<idlab_named_tensor_t> spare_loss_items;
    idlab_tensor_set_t spare_loss_inputs{};
    build_input_set(loss_->inputs(), spare, nullptr, spare_loss_items, spare_loss_inputs);
    // The encoder's input: "x" itself, or the loss's views copied one after the other.
    const bool stacked = stacked_.rows() > 0;
    BatchSlot slots[2] = {{&train_, &loss_inputs_, {}, {}}, {&spare, &spare_loss_inputs, {}, {}}};
    for (BatchSlot& slot : slots) {
        for (const std::string& v : views_) slot.views.push_back(slot.fields->find(v));
        slot.x = stacked ? stacked_.view() : slot.fields->find("x")->view();
    }
    const size_t view_bytes = static_cast<size_t>(batch_ * slots[0].views.front()->row_elements()) *
                              slots[0].views.front()->element_bytes();
    auto sample_batch = [this](int64_t s, BatchSlot& slot) {
        const idlab_exec_ctx_t ctx = context(true, IDLAB_RNG_STREAM_TRAIN, static_cast<uint64_t>(s), s);
        data_->sample(ctx, batch_, slot.fields->set);
    };
    BackgroundJob sampler;  // declared after everything its jobs use, so it finishes first
    DLTensor features = features_.view();
    DLTensor dfeatures = dfeatures_.view();
    double loss_sum = 0.0;
    int64_t loss_count = 0;
    uint64_t eval_index = 1;
    double train_seconds = 0.0;

    int64_t step = 0;
    for (; step < steps_; ++step) {
        if (interrupt_requested()) {
            summary.interrupted = true;
            break;
        }
        const auto ts = Clock::now();
        BatchSlot& current = slots[step % 2];
        if (step == 0 || !sample_ahead) {
            sample_batch(step, current);
        } else {
            sampler.wait();
            sampler.rethrow_failure();
        }
        if (sample_ahead && step + 1 < steps_) {
            BatchSlot& next = slots[(step + 1) % 2];
            sampler.start([&sample_batch, &next, s = step + 1] { sample_batch(s, next); });
        }
        idlab_exec_ctx_t ctx = context(true, IDLAB_RNG_STREAM_TRAIN, static_cast<uint64_t>(step), step);
        if (stacked)
            for (size_t v = 0; v < current.views.size(); ++v)
                std::memcpy(stacked_.as<char>() + v * view_bytes, current.views[v]->data(), view_bytes);
        encoder_->forward(ctx, current.x, features);
        double loss = loss_->forward(ctx, features, *current.loss_inputs, &dfeatures);
        encoder_->backward(ctx, dfeatures);
        optimizer_->step(ctx);
        train_seconds += seconds_since(ts);

        if (!std::isfinite(loss))
            throw ComponentFailure(recipe_.loss.stage, recipe_.loss.kind, step,
                                   IDLAB_STATUS_NUMERIC_ERROR, "the loss is not finite", "");
        loss_sum += loss;
        ++loss_count;
        progress.step(step + 1, loss);

        const bool last = step + 1 == steps_;
        if ((step + 1) % eval_every_ == 0 || last) {
            sampler.wait();  // evaluation samples from the data stage too
            Evaluation e;
            e.step = step + 1;
            e.train_loss = loss_sum / static_cast<double>(loss_count);
            e.values = evaluate(step + 1, eval_index++, false);
            loss_sum = 0.0;
            loss_count = 0;
            if (!e.values.empty()) progress.set_last_metric(e.values.front().first, e.values.front().second);
            summary.evaluations.push_back(e);
            on_evaluation(summary.evaluations.back());
        }
    }

    // Interrupted between evaluations: evaluate what was trained so far.
    if (summary.interrupted && step > 0 &&
        (summary.evaluations.empty() || summary.evaluations.back().step != step)) {
        sampler.wait();
        Evaluation e;
        e.step = step;
        e.train_loss = loss_count ? loss_sum / static_cast<double>(loss_count) : 0.0;
        e.values = evaluate(step, eval_index++, false);
        summary.evaluations.push_back(e);
        on_evaluation(summary.evaluations.back());
    }

    progress.finish();
    summary.steps = step;
    summary.seconds = seconds_since(t0);
    summary.train_seconds = train_seconds;
    return summary;
}

}  // namespace idlab::host
