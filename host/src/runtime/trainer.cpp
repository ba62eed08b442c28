#include "runtime/trainer.hpp"

#include "runtime/checkpointer.hpp"
#include "runtime/interrupt.hpp"
#include "runtime/progress.hpp"
#include "runtime/recipe_fingerprint.hpp"

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

idlab_create_ctx_t create_context(const idlab_host_t* host, DLDevice device, uint64_t seed,
                                  uint32_t threads, const char* stage,
                                  const std::vector<idlab_field_desc_t>& fields,
                                  int64_t input_dim) {
    idlab_create_ctx_t ctx{};
    ctx.struct_size = sizeof(ctx);
    ctx.host = host;
    ctx.device = device;
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

void Trainer::FieldBuffers::allocate(const std::vector<idlab_field_desc_t>& fields, int64_t rows,
                                     DeviceRuntime& device) {
    buffers.clear();
    items.clear();
    buffers.reserve(fields.size());
    for (const auto& f : fields) {
        std::vector<int64_t> shape = {rows};
        if (f.width > 0) shape.push_back(f.width);
        buffers.emplace_back(f.name, static_cast<idlab_dtype_t>(f.dtype), shape, device);
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

Trainer::Trainer(const Recipe& recipe, const idlab_host_t* host, const idlab_device_i* device)
    : device_(device ? std::make_unique<DeviceRuntime>(device) : std::make_unique<DeviceRuntime>()),
      recipe_(recipe), host_(host) {
    const ParamValue* device_name = recipe.run.find("device");
    if (device_name && device_name->string_value != device_->name())
        throw std::invalid_argument("run.device = \"" + device_name->string_value +
                                    "\" but the trainer was given the device '" +
                                    device_->name() + "'");
    seed_ = int_param(recipe.run, "seed");
    steps_ = int_param(recipe.train, "steps");
    batch_ = int_param(recipe.train, "batch_size");
    eval_every_ = int_param(recipe.train, "eval_every");
    eval_samples_ = int_param(recipe.train, "eval_samples");
    const int64_t threads = int_param(recipe.run, "threads");
    threads_ = threads > 0 ? static_cast<uint32_t>(threads)
                           : std::max(1u, std::thread::hardware_concurrency());
    const uint64_t seed = static_cast<uint64_t>(seed_);
    // Data, encoder, loss and optimizer run on the run's device; metrics on the CPU.
    const DLDevice on = device_->device();
    const DLDevice cpu{kDLCPU, 0};

    data_ = std::make_unique<DataStage>(recipe.data, create_context(host, on, seed, threads_, "data", {}, 0));
    fields_ = data_->fields();
    const idlab_field_desc_t* x = find_field(fields_, "x");
    if (!x || x->dtype != IDLAB_DTYPE_F32 || x->width <= 0)
        throw WiringError(recipe.data.where,
                          "data '" + recipe.data.kind +
                              "' provides no float field 'x' [batch, width] for the encoder "
                              "(it provides: " + field_list(fields_) + ")");

    encoder_ = std::make_unique<EncoderStage>(
        recipe.encoder, create_context(host, on, seed, threads_, "encoder", fields_, x->width));
    const int64_t dim = encoder_->output_dim();
    if (dim <= 0)
        throw WiringError(recipe.encoder.where, "encoder '" + recipe.encoder.kind +
                                                    "' reports an output width of " +
                                                    std::to_string(dim));

    loss_ = std::make_unique<LossStage>(recipe.loss, create_context(host, on, seed, threads_, "loss", fields_, dim));
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
        recipe.optimizer, create_context(host, on, seed, threads_, "optimizer", fields_, 0));
    for (const StageConfig& m : recipe.metrics)
        metrics_.push_back(std::make_unique<MetricStage>(
            m, create_context(host, cpu, seed, threads_, "metrics", fields_, dim)));

    // Buffers, allocated once, on the run's device.
    DeviceRuntime& dev = *device_;
    train_.allocate(fields_, batch_, dev);
    eval_.allocate(fields_, eval_samples_, dev);
    const int64_t encoded_rows = batch_ * static_cast<int64_t>(views_.size());
    if (views_.size() > 1 || views_.front() != "x")
        stacked_ = TensorBuffer("encoder_input", IDLAB_DTYPE_F32, {encoded_rows, x->width}, dev);
    features_ = TensorBuffer("features", IDLAB_DTYPE_F32, {encoded_rows, dim}, dev);
    dfeatures_ = TensorBuffer("dfeatures", IDLAB_DTYPE_F32, {encoded_rows, dim}, dev);
    eval_features_ = TensorBuffer("features", IDLAB_DTYPE_F32, {eval_samples_, dim}, dev);
    mirrors_ = std::make_unique<HostMirrors>(dev);
    baseline_mirrors_ = std::make_unique<HostMirrors>(dev);
    // A device loss that can write its value into device memory does so, and the host reads
    // the values back at evaluation time; every other loss reports each step's value at once.
    const bool losses_on_device = !dev.is_cpu() && loss_->writes_loss_out();
    losses_ = std::make_unique<LossTracker>(dev, losses_on_device, std::min(eval_every_, steps_),
                                            recipe.loss.stage, recipe.loss.kind);

    // The loss reads the fields it names.
    for (const std::string& name : loss_->inputs())
        if (!find_field(fields_, name))
            throw WiringError(recipe.loss.where, "loss '" + recipe.loss.kind + "' needs field '" +
                                                     name + "', which data '" + recipe.data.kind +
                                                     "' does not provide (it provides: " +
                                                     field_list(fields_) + ")");
    build_input_set(loss_->inputs(), train_, loss_items_, loss_inputs_);

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
        build_metric_inputs(inputs, eval_features_, *mirrors_, metric_items_[i], metric_inputs_[i]);
        build_metric_inputs(inputs, *eval_.find("x"), *baseline_mirrors_, baseline_items_[i],
                            baseline_inputs_[i]);
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

    // What a checkpoint holds: every stage's parameters and state (the optimizer's exist now
    // that it is bound). Data and metrics are stateless by the ABI's contract.
    protocol_ = TrainProtocol::from(recipe.train, value_names_);
    checkpointer_ = std::make_unique<Checkpointer>(canonical_recipe(recipe), *device_);
    checkpointer_->add_stage(data_->handle(), recipe.data.desc->version, false);
    checkpointer_->add_stage(encoder_->handle(), recipe.encoder.desc->version, true);
    checkpointer_->add_stage(loss_->handle(), recipe.loss.desc->version, true);
    checkpointer_->add_stage(optimizer_->handle(), recipe.optimizer.desc->version, true);
    for (size_t i = 0; i < metrics_.size(); ++i)
        checkpointer_->add_stage(metrics_[i]->handle(), recipe.metrics[i].desc->version, false);
    if (!dev.is_cpu())
        spdlog::info("device '{}': tensors stay there; evaluations copy {} tensors to the CPU{}",
                     dev.name(), mirrors_->copies_per_refresh(),
                     losses_on_device ? " and the losses since the previous one" : "");
}

Trainer::~Trainer() = default;

// ------------------------------------------------------------ checkpoints

void Trainer::set_checkpoint_files(std::filesystem::path checkpoint, std::filesystem::path best) {
    checkpoint_file_ = std::move(checkpoint);
    best_file_ = std::move(best);
    for (const std::string& stage : checkpointer_->stages_without_state())
        spdlog::warn("{} does not expose idlab.state/1 (its plugin predates ABI 1.2): checkpoints "
                     "hold its parameters but not its hidden state, so `idlab run --resume` "
                     "will refuse them", stage);
    const std::string every = protocol_.checkpoint_every > 0
                                  ? "every " + std::to_string(protocol_.checkpoint_every) + " steps, "
                                  : "";
    spdlog::info("checkpoints: {} {}at SIGINT/SIGTERM and at the end ({:.1f} MB of tensors)",
                 checkpoint_file_.string(), every, static_cast<double>(checkpointer_->tensor_bytes()) / 1e6);
}

void Trainer::resume(const LoadedCheckpoint& checkpoint) {
    const TrainingState& saved = checkpoint.contents.state;
    checkpointer_->restore(checkpoint, context(true, IDLAB_RNG_STREAM_TRAIN,
                                               static_cast<uint64_t>(saved.step), saved.step));
    state_ = saved;
    losses_->restore(saved.loss_sum, saved.loss_count);
    resumed_ = true;
}

void Trainer::save_checkpoint(const std::filesystem::path& file) {
    if (file.empty()) return;
    const auto t0 = Clock::now();
    state_.seconds = seconds_before_ + seconds_since(started_);
    state_.train_seconds = train_seconds_before_ + segment_train_seconds_;
    losses_->flush();
    state_.loss_sum = losses_->sum();
    state_.loss_count = losses_->count();
    const uint64_t bytes = checkpointer_->save(file, state_);
    const double took = seconds_since(t0);
    state_.checkpoint_seconds += took;
    spdlog::debug("checkpoint at step {}: {} ({:.2f} MB in {:.1f} ms)", state_.step, file.string(),
                  static_cast<double>(bytes) / 1e6, took * 1e3);
}

void Trainer::after_evaluation() {
    const Evaluation& e = state_.evaluations.back();
    if (protocol_.stops(e)) {
        state_.stopped_early = true;
        state_.finished = true;
        spdlog::info("stopping early: {} = {} exceeds train.stop_above = {}", protocol_.stop_metric,
                     value_of(e, protocol_.stop_metric), protocol_.stop_above);
    }
    const Evaluation* best = state_.best >= 0 ? &state_.evaluations[static_cast<size_t>(state_.best)] : nullptr;
    if (protocol_.improves(e, best)) {
        state_.best = static_cast<int64_t>(state_.evaluations.size()) - 1;
        save_checkpoint(best_file_);
    }
}

RunSummary summary_of(const TrainingState& state) {
    RunSummary summary;
    summary.steps = state.step;
    summary.seconds = state.seconds;
    summary.train_seconds = state.train_seconds;
    summary.checkpoint_seconds = state.checkpoint_seconds;
    summary.stopped_early = state.stopped_early;
    summary.baseline = state.baseline;
    summary.evaluations = state.evaluations;
    if (state.best >= 0) summary.best = state.evaluations[static_cast<size_t>(state.best)];
    return summary;
}

void Trainer::build_input_set(const std::vector<std::string>& names, FieldBuffers& fields,
                              std::vector<idlab_named_tensor_t>& items, idlab_tensor_set_t& set) {
    items.clear();
    for (const std::string& name : names)
        for (const auto& item : fields.items)
            if (name == item.name) items.push_back(item);
    set.count = static_cast<uint32_t>(items.size());
    set.items = items.data();
}

void Trainer::build_metric_inputs(const std::vector<std::string>& names, TensorBuffer& features,
                                  HostMirrors& mirrors, std::vector<idlab_named_tensor_t>& items,
                                  idlab_tensor_set_t& set) {
    items.clear();
    for (const std::string& name : names) {
        if (name == "features") {
            items.push_back(idlab_named_tensor_t{"features", mirrors.view_of("features", features.view())});
            continue;
        }
        for (const auto& item : eval_.items)
            if (name == item.name)
                items.push_back(idlab_named_tensor_t{item.name, mirrors.view_of(name, item.tensor)});
        for (const auto& [tensor_name, tensor] : stage_tensors_)
            if (name == tensor_name)
                items.push_back(idlab_named_tensor_t{tensor_name.c_str(), mirrors.view_of(name, tensor)});
    }
    set.count = static_cast<uint32_t>(items.size());
    set.items = items.data();
}

idlab_exec_ctx_t Trainer::context(bool training, uint64_t stream, uint64_t counter,
                                  int64_t step) const {
    idlab_exec_ctx_t ctx{};
    ctx.struct_size = sizeof(ctx);
    ctx.device = device_->device();
    ctx.stream = device_->stream();
    ctx.rng = idlab_rng_t{static_cast<uint64_t>(seed_), stream, counter};
    ctx.training = training ? 1 : 0;
    ctx.step = step;
    ctx.host = host_;
    ctx.loss_out = nullptr;
    return ctx;
}

idlab_exec_ctx_t Trainer::metric_context(uint64_t eval_index, int64_t step) const {
    idlab_exec_ctx_t ctx = context(false, IDLAB_RNG_STREAM_EVAL, eval_index, step);
    ctx.device = DLDevice{kDLCPU, 0};
    ctx.stream = nullptr;
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
    // Metrics read CPU copies: the evaluation fields, the features and the stage tensors.
    (baseline ? baseline_mirrors_ : mirrors_)->refresh();
    const idlab_exec_ctx_t metric_ctx = metric_context(eval_index, step);
    size_t k = 0;
    std::vector<bool> scored(value_names_.size(), true);
    for (size_t i = 0; i < metrics_.size(); ++i) {
        const size_t count = metrics_[i]->value_names().size();
        if (!baseline) {
            metrics_[i]->evaluate(metric_ctx, metric_inputs_[i], values_.data() + k, step);
        } else {
            // The baseline (features = x) is informative only: a metric that cannot take x as
            // its features (one that checks them against a head) is left out of it, not fatal.
            try {
                metrics_[i]->evaluate(metric_ctx, baseline_inputs_[i], values_.data() + k, step);
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
    TrainingState& st = state_;
    started_ = Clock::now();
    seconds_before_ = st.seconds;
    train_seconds_before_ = st.train_seconds;
    segment_train_seconds_ = 0.0;
    bool interrupted = false;

    // Evaluation index 0 scores the raw observations: how linear the mixing alone is. A resumed
    // run has it from its checkpoint.
    if (!metrics_.empty() && !resumed_) {
        st.baseline = evaluate(0, 0, true);
        for (const auto& [name, value] : st.baseline)
            spdlog::info("baseline (features = x): {} = {:.4f}", name, value);
    }

    // On the CPU with run.threads = 1, two sets of batch buffers: while step s trains on one, a
    // helper thread samples the batch of step s + 1 into the other, on the core the step leaves
    // idle. A batch depends only on the seed and its step, so the data are the ones an inline
    // draw would give; only the data stage runs on the helper, and never at the same time as an
    // evaluation (which samples too) or a checkpoint. With more threads the stages keep every
    // core busy themselves (the data stage splits its sampling over its own threads), and a
    // helper would only take cores away from them mid-step, so the batch is drawn in place,
    // before the step. On a device, sampling only enqueues work on the run's stream, so it runs
    // inline too: no second thread enqueues on the stream while a component may be capturing it.
    struct BatchSlot {
        FieldBuffers* fields;
        idlab_tensor_set_t* loss_inputs;
        std::vector<TensorBuffer*> views;  // the loss's views among `fields`
        DLTensor x;                        // the encoder's input
    };
    const bool prefetch = device_->is_cpu() && threads_ == 1;
    FieldBuffers spare;
    std::vector<idlab_named_tensor_t> spare_loss_items;
    idlab_tensor_set_t spare_loss_inputs{};
    if (prefetch) {
        spare.allocate(fields_, batch_, *device_);
        build_input_set(loss_->inputs(), spare, spare_loss_items, spare_loss_inputs);
    }
    // The encoder's input: "x" itself, or the loss's views copied one after the other.
    const bool stacked = stacked_.rows() > 0;
    BatchSlot slots[2] = {{&train_, &loss_inputs_, {}, {}}, {&spare, &spare_loss_inputs, {}, {}}};
    for (BatchSlot& slot : slots) {
        if (slot.fields->buffers.empty()) continue;  // the spare, when not prefetching
        for (const std::string& v : views_) slot.views.push_back(slot.fields->find(v));
        slot.x = stacked ? stacked_.view() : slot.fields->find("x")->view();
    }
    auto sample_batch = [this](int64_t s, BatchSlot& slot) {
        const idlab_exec_ctx_t ctx = context(true, IDLAB_RNG_STREAM_TRAIN, static_cast<uint64_t>(s), s);
        data_->sample(ctx, batch_, slot.fields->set);
    };
    BackgroundJob sampler;  // declared after everything its jobs use, so it finishes first
    DLTensor features = features_.view();
    DLTensor dfeatures = dfeatures_.view();
    // Waits for the device's queued work (on the CPU: nothing) and counts the wait as training
    // time, so that steps/s on a device measure the device and not how fast steps are queued.
    auto finish_queued_steps = [&] {
        const auto tw = Clock::now();
        device_->synchronize();
        segment_train_seconds_ += seconds_since(tw);
    };

    const int64_t first = st.step;
    while (st.step < steps_ && !st.finished) {
        const int64_t step = st.step;
        if (interrupt_requested()) {
            interrupted = true;
            break;
        }
        const auto ts = Clock::now();
        BatchSlot& current = slots[prefetch ? step % 2 : 0];
        if (step == first || !prefetch) {
            sample_batch(step, current);
        } else {
            sampler.wait();
            sampler.rethrow_failure();
        }
        if (prefetch && step + 1 < steps_) {
            BatchSlot& next = slots[(step + 1) % 2];
            sampler.start([&sample_batch, &next, s = step + 1] { sample_batch(s, next); });
        }
        idlab_exec_ctx_t ctx = context(true, IDLAB_RNG_STREAM_TRAIN, static_cast<uint64_t>(step), step);
        if (stacked)
            for (size_t v = 0; v < current.views.size(); ++v) {
                DLTensor dst = stacked_.row_view(static_cast<int64_t>(v) * batch_, batch_);
                device_->copy(current.views[v]->view(), dst);
            }
        encoder_->forward(ctx, current.x, features);
        ctx.loss_out = losses_->slot(step);
        double loss = loss_->forward(ctx, features, *current.loss_inputs, &dfeatures);
        encoder_->backward(ctx, dfeatures);
        optimizer_->step(ctx);
        segment_train_seconds_ += seconds_since(ts);
        if (!ctx.loss_out) losses_->record(step, loss);  // throws when it is not finite
        st.step = step + 1;
        progress.step(st.step, losses_->last());

        const bool last = st.step == steps_;
        if (last) st.finished = true;
        if (st.step % eval_every_ == 0 || last) {
            finish_queued_steps();
            sampler.wait();  // evaluation samples from the data stage too
            losses_->flush();
            Evaluation e;
            e.step = st.step;
            e.train_loss = losses_->mean();
            losses_->reset();
            e.values = evaluate(st.step, st.eval_index++, false);
            if (!e.values.empty()) progress.set_last_metric(e.values.front().first, e.values.front().second);
            st.evaluations.push_back(std::move(e));
            on_evaluation(st.evaluations.back());
            after_evaluation();
        }
        const bool due = protocol_.checkpoint_every > 0 && st.step % protocol_.checkpoint_every == 0;
        if (st.finished || due) {
            sampler.wait();  // the data stage is part of the checkpoint
            save_checkpoint(checkpoint_file_);
        }
    }
    sampler.wait();

    RunSummary summary = summary_of(st);
    summary.interrupted = interrupted;
    // Interrupted between evaluations: evaluate what was trained so far. This evaluation is
    // off the schedule, so the checkpoint leaves it out (with its RNG counter and the loss
    // sums it would reset) and a resumed run scores that step as an uninterrupted run does.
    if (interrupted && st.step > 0 && (st.evaluations.empty() || st.evaluations.back().step != st.step)) {
        finish_queued_steps();
        losses_->flush();
        Evaluation e;
        e.step = st.step;
        e.train_loss = losses_->mean();
        e.values = evaluate(st.step, st.eval_index, false);
        summary.evaluations.push_back(e);
        on_evaluation(summary.evaluations.back());
    }
    if (interrupted) save_checkpoint(checkpoint_file_);

    progress.finish();
    summary.seconds = seconds_before_ + seconds_since(started_);
    summary.train_seconds = train_seconds_before_ + segment_train_seconds_;
    summary.checkpoint_seconds = st.checkpoint_seconds;
    return summary;
}

}  // namespace idlab::host
