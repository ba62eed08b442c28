// The core probes plugin: linear readouts of labelled factors from any features (the paper's
// DisLib and ImageNet-X protocols) and a data process for features a user brings.
#include "features_data.hpp"
#include "logistic_probe.hpp"
#include "pearson_probe.hpp"

#include <idlab/plugin.hpp>

IDLAB_PLUGIN((idlab::PluginInfo{"idlab.core-probes", "idlab core probes", "idlab", "1.0.0",
                                "Linear probes of labelled factors (Pearson probe, DisLib; balanced logistic "
                                "probe with a t-test, ImageNet-X) and core.features for a user's embeddings "
                                "and CSV labels"}),
             idlab::probes::PearsonProbe, idlab::probes::LogisticProbe, idlab::probes::FeaturesData)
