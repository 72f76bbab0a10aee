#include "est/meeting_template.hpp"
