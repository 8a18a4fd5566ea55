// Technician console entry: ?token=<technician token>[&site=]
import { boot } from '../ui/app.js';
import { TechnicianApp } from '../ui/technician/app.js';

boot('console', TechnicianApp);
